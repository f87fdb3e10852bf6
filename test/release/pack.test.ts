/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The tarball users install: only the built package, everything n8n loads from it, and small. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What `npm pack` would put in the tarball (the package must be built first: `npm run build`). */
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as Array<{
	size: number;
	unpackedSize: number;
	files: Array<{ path: string }>;
}>;
const files = pack.files.map((file) => file.path);
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };

/** Budgets, with room for growth: today 45 files, about 50 KB packed, 180 KB unpacked. */
const MAX_PACKED_BYTES = 200 * 1024;
const MAX_UNPACKED_BYTES = 1024 * 1024;

test('holds only dist/, README.md, LICENSE and package.json', () => {
	expect(files.filter((file) => !/^dist\//.test(file) && !['README.md', 'LICENSE', 'package.json'].includes(file))).toEqual([]);
	expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
	expect(files.filter((file) => /(^|\/)(test|scripts|simulator|bench)/i.test(file))).toEqual([]);
	expect(files.filter((file) => /\.map$|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
});

test('holds every node and credential n8n loads, with their icons and codex files', () => {
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(files).toContain(file);
	expect(files).toEqual(expect.arrayContaining(['dist/icons/feishu.svg', 'dist/icons/feishu.dark.svg']));
	for (const node of manifest.n8n.nodes) expect(files).toContain(node.replace(/\.js$/, '.json'));
});

test(`stays small: under ${MAX_PACKED_BYTES / 1024} KB packed, ${MAX_UNPACKED_BYTES / 1024} KB unpacked`, () => {
	console.log(`tarball: ${files.length} files, ${(pack.size / 1024).toFixed(0)} KB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KB unpacked`);
	expect(pack.size).toBeLessThan(MAX_PACKED_BYTES);
	expect(pack.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
});
