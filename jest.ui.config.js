/** `npx jest --config jest.ui.config.js --runInBand`: the real n8n editor in headless Chromium (see test/ui/). */
module.exports = {
	...require('./jest.config.js'),
	testMatch: ['**/test/ui/**/*.ui.ts'],
	testTimeout: 600000,
};
