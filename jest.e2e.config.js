/**
 * The packed package inside one real n8n (see test/e2e/): N8N_VERSION, else the 2.x pinned in
 * test/e2e/install-n8n.sh. `npm run test:e2e` runs it once per version (scripts/e2e-matrix.sh).
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const pinned = /^DEFAULT_N8N_VERSION=(\S+)$/m.exec(readFileSync(join(__dirname, 'test', 'e2e', 'install-n8n.sh'), 'utf8'))[1];

module.exports = {
	...require('./jest.config.js'),
	// printed with every suite's result and every failure: which n8n the cases ran on
	displayName: `n8n ${process.env.N8N_VERSION || pinned}`,
	testMatch: ['**/test/e2e/**/*.e2e.ts'],
	testTimeout: 600000,
	verbose: true,
};
