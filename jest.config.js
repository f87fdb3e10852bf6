/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// the tarball and workflow checks run after a build: `npm run test:release`
	testPathIgnorePatterns: ['/node_modules/', '/test/release/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
	testTimeout: 30000,
	setupFiles: ['<rootDir>/test/setup.ts'],
};
