// Runs n8n's community-package scanner (the analyser behind `npx @n8n/scan-community-package`) on
// this repository's sources and on the tarball `npm pack` makes. Its CLI only scans published
// packages; its exported analyser works on any folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'feishu-minutes-scan-'));

try {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop();
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);

	const scans = [
		['source tree', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
		[`packed tarball ${tarball}`, await analyzePackage(join(work, 'package'))],
	];
	let failed = false;
	for (const [what, result] of scans) {
		console.log(`${result.passed ? 'PASS' : 'FAIL'} ${what}${result.message ? `: ${result.message}` : ''}`);
		if (result.details) console.log(result.details);
		failed ||= !result.passed;
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
