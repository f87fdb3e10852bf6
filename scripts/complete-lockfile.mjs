// The npm registry mirror this project is built against lacks some platform-specific optional
// packages (other OSes' and CPUs' builds of unrs-resolver's native binding), so `npm install`
// leaves them out of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds
// the missing entries, marked optional with their os / cpu, so every platform's `npm ci` skips
// what it cannot use — the same entries a lock written against the full registry has.
// Run it after any `npm install` that changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32'];
const CPU = { 'arm-eabi': 'arm', arm64: 'arm64', x64: 'x64', arm: 'arm', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', ia32: 'ia32' };

function platformOf(name) {
	const parts = name.split('/').pop().split('-');
	const os = parts.find((part) => OS.includes(part));
	const cpuKey = parts.includes('eabi') ? 'arm-eabi' : parts.find((part) => part in CPU);
	if (!os || !cpuKey) return undefined;
	const platform = { os: [os], cpu: [CPU[cpuKey]] };
	if (name.endsWith('-gnu') || name.includes('gnueabihf')) platform.libc = ['glibc'];
	if (name.includes('musl')) platform.libc = ['musl'];
	return platform;
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
	for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
		const hoisted = `node_modules/${name}`;
		const nested = `${path}/node_modules/${name}`;
		if (packages[hoisted] || packages[nested]) continue;
		const platform = platformOf(name);
		if (!platform) {
			console.warn(`left alone: ${name}@${version} (optional dependency of ${path}) has no platform in its name`);
			continue;
		}
		packages[hoisted] = { version, ...(meta.dev ? { dev: true } : {}), optional: true, ...platform };
		added++;
	}
}

lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} platform-specific optional entries`);
