/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The package's shape, as a newcomer relies on it: every operation's scope reaches the OAuth2
 * credential and the README, every endpoint path is written once, no source file sprawls.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { FeishuOAuth2Api } from '../../credentials/FeishuOAuth2Api.credentials';
import { FeishuMinutes } from '../../nodes/FeishuMinutes/FeishuMinutes.node';
import { resources } from '../../nodes/FeishuMinutes/actions';
import type { OperationModule } from '../../nodes/FeishuMinutes/actions/operation';
import { POLL_ENDPOINTS } from '../../nodes/FeishuMinutes/trigger/poll';

const ROOT = join(__dirname, '..', '..');
const operations = Object.entries(resources).flatMap(([resource, { operations: byValue }]) =>
	Object.entries(byValue as Record<string, OperationModule>).map(([value, module]) => ({ resource, value, module })),
);
const requestedScopes = String(new FeishuOAuth2Api().properties.find((property) => property.name === 'scope')?.default).split(' ');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
	});
}
const sources = [...sourceFiles(join(ROOT, 'nodes')), ...sourceFiles(join(ROOT, 'credentials'))];

test('the OAuth2 credential requests a scope of every operation and of the trigger, and offline_access', () => {
	for (const endpoint of [...operations.flatMap(({ module }) => [module.endpoint, ...(module.alsoCalls ?? [])]), ...POLL_ENDPOINTS]) {
		if (!endpoint.identities.includes('user')) continue;
		expect({ endpoint: endpoint.name, granted: endpoint.scopes.some((scope) => requestedScopes.includes(scope)) }).toEqual({
			endpoint: endpoint.name,
			granted: true,
		});
	}
	expect(requestedScopes).toContain('offline_access');
	expect(new Set(requestedScopes).size).toBe(requestedScopes.length);
});

test('the README\'s scope table lists exactly the scopes the credential requests, each with its operations', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const table = readme.slice(readme.indexOf('<!-- scopes -->'), readme.indexOf('<!-- /scopes -->'));
	expect(table.length).toBeGreaterThan(100);
	const rows = table.split('\n').filter((line) => /^ *\| [A-Z]/.test(line) && !line.trim().startsWith('| Operation'));
	const readmeScopes = rows.map((row) => /`([^`]+)`/.exec(row.split('|')[2])?.[1]);
	expect(new Set(readmeScopes)).toEqual(new Set(requestedScopes.filter((scope) => scope !== 'offline_access')));
	// a row names the operation, or "Resource: Operation" and what it is used for
	const rowsOf = (resource: string, name: string) =>
		rows.filter((row) => [name, `${resources[resource as keyof typeof resources].name}: ${name}`].some((label) => row.split('|')[1].trim().startsWith(label)));
	for (const { resource, module } of operations) {
		for (const endpoint of [module.endpoint, ...(module.alsoCalls ?? [])]) {
			expect({ operation: module.option.name, rows: rowsOf(resource, module.option.name).some((row) => row.includes(`\`${endpoint.scopes[0]}\``)) }).toEqual({
				operation: module.option.name,
				rows: true,
			});
		}
	}
});

test('every operation in the Operation list has an implementation, a subtitle and its own fields only', () => {
	const { properties, subtitle } = new FeishuMinutes().description;
	const listed = properties
		.filter((property) => property.name === 'operation')
		.flatMap((property) => (property.options ?? []).map((option) => `${String(property.displayOptions?.show?.resource)}:${(option as { value: string }).value}`));
	expect(listed.sort()).toEqual(operations.map(({ resource, value }) => `${resource}:${value}`).sort());
	for (const { resource, value, module } of operations) {
		expect(subtitle).toContain(`"${resource}:${value}":"${module.option.name}"`);
		for (const field of module.fields) {
			const shown = properties.filter(
				(property) => property.name === field.name && property.displayOptions?.show?.operation?.includes(value) && property.displayOptions?.show?.resource?.includes(resource),
			);
			// a field may exist once per node version (the Minute field: text in v1, a resource locator from v2)
			expect(shown).toHaveLength(module.fields.filter((other) => other.name === field.name).length);
		}
	}
});

test('options an operation ignores are not offered for it', () => {
	const options = new FeishuMinutes().description.properties.find((property) => property.name === 'options')!;
	const shownFor = (name: string) =>
		((options.options as Array<{ name: string; displayOptions?: { show?: Record<string, unknown[]> } }>).find((option) => option.name === name)
			?.displayOptions?.show?.['/operation'] ?? 'all') as string[] | 'all';

	expect(shownFor('waitUntilReady')).not.toContain('search');
	expect(shownFor('parallelDownloads')).toEqual(['getMedia']);
	expect(shownFor('maxRetries')).toBe('all');
});

test('every Feishu endpoint path is written once in the source', () => {
	const code = (file: string) => readFileSync(file, 'utf8').replace(/^\s*(\/\/|\/?\*).*$/gm, '');
	const paths = sources.flatMap((file) => code(file).match(/\/open-apis\/[\w./-]+/g) ?? []);
	expect(paths.length).toBeGreaterThan(3);
	const counts = new Map<string, number>();
	for (const path of paths) counts.set(path, (counts.get(path) ?? 0) + 1);
	expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
});

test('no source file under nodes/ or credentials/ is over 300 lines', () => {
	const long = sources.map((file) => [file.slice(ROOT.length + 1), readFileSync(file, 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 300);
	expect(long).toEqual([]);
});

test('written for models too: every operation and every field says what it is for; token, link and time fields say their format', () => {
	for (const { module } of operations) {
		expect(module.option.description.length).toBeGreaterThan(20);
		for (const field of module.fields) {
			const words = `${field.description ?? ''} ${field.hint ?? ''}`.trim();
			expect({ field: field.name, words: words.length > 15 }).toEqual({ field: field.name, words: true });
			if (field.type === 'dateTime') expect({ field: field.name, words }).toEqual({ field: field.name, words: expect.stringMatching(/ISO 8601|e\.g\. \d{4}-/) });
			if (['minute', 'meeting'].includes(field.name)) expect({ field: field.name, words }).toEqual({ field: field.name, words: expect.stringMatching(/token|ID|link/) });
		}
	}
});
