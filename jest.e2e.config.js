/** `npm run test:e2e`: the packed package inside a real n8n (see test/e2e/). */
module.exports = {
	...require('./jest.config.js'),
	testMatch: ['**/test/e2e/**/*.e2e.ts'],
	testTimeout: 600000,
};
