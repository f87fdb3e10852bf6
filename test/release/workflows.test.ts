/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The GitHub workflows: CI runs the project's own check; publishing happens only after it, with provenance. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

interface Step {
	uses?: string;
	run?: string;
	name?: string;
}
interface Job {
	uses?: string;
	needs?: string | string[];
	permissions?: Record<string, string>;
	steps?: Step[];
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const ROOT = join(__dirname, '..', '..');
const read = (name: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const ci = read('ci.yml');
const publish = read('publish.yml');
const runs = (job: Job) => (job.steps ?? []).map((step) => step.run ?? '').join('\n');

test('CI runs `bash .ci/run` on pushes to main, on pull requests, and when the publish workflow calls it', () => {
	expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
	expect(ci.on.push).toEqual({ branches: ['main'] });
	expect(ci.permissions).toEqual({ contents: 'read' });
	expect(Object.values(ci.jobs).some((job) => /bash \.ci\/run/.test(runs(job)))).toBe(true);
});

test('publishing runs on version tags only, and only after the full CI passed', () => {
	expect(Object.keys(publish.on)).toEqual(['push']);
	expect(publish.on.push).toEqual({ tags: ['*.*.*'] });
	const [name, checks] = Object.entries(publish.jobs).find(([, job]) => job.uses === './.github/workflows/ci.yml') ?? [];
	expect(checks).toBeDefined();
	const publishing = Object.values(publish.jobs).filter((job) => /npm publish/.test(runs(job)));
	expect(publishing).toHaveLength(1);
	expect([publishing[0].needs].flat()).toContain(name);
});

test('the publish job signs provenance through OIDC, with no long-lived token, and checks the tag is the version', () => {
	const [job] = Object.values(publish.jobs).filter((candidate) => /npm publish/.test(runs(candidate)));
	expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	expect(runs(job)).toMatch(/npm publish --provenance/);
	expect(runs(job)).toMatch(/require\("\.\/package\.json"\)\.version/);
	const text = readFileSync(join(ROOT, '.github', 'workflows', 'publish.yml'), 'utf8');
	expect(text).not.toMatch(/secrets\.|NPM_TOKEN|NODE_AUTH_TOKEN|_authToken/);
	// the package builds before publishing (the repository's .npmrc turns npm's own scripts off)
	expect(runs(job).indexOf('npm run build')).toBeLessThan(runs(job).indexOf('npm publish'));
});
