/** `npm run test:release` (after `npm run build`): the tarball users get and the GitHub workflows that publish it. */
module.exports = {
	...require('./jest.config.js'),
	testMatch: ['**/test/release/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/'],
};
