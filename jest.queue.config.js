/** `npm run test:queue`: the packed package in n8n's queue mode (main + 2 workers, Redis, PostgreSQL). */
module.exports = {
	...require('./jest.config.js'),
	testMatch: ['**/test/queue/**/*.e2e.ts'],
	testTimeout: 600000,
};
