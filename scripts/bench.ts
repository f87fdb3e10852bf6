/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * `npm run bench`: the node against the Feishu simulator (its own process), measured side by side
 * with a floor or a plain undici baseline in the same run, and printed as ratios.
 *   1. Batch: 50 items, 400 ms latency, 5 req/s enforced — ours vs the N / 5 req/s floor.
 *   2. Download: 1 GiB in n8n's filesystem binary mode — ours vs undici streaming to /dev/null,
 *      and the process's peak RSS growth; for reference, undici streaming into n8n's binary data store.
 *   3. Parallel downloads: 4 × 256 MiB at once — the same two measures.
 *   4. Executions at once: 8 executions × 25 items in this one process, 5 req/s enforced per app —
 *      ours vs the 200 / 5 req/s floor, with the simulator's 429 and token counts.
 *   5. Latency varying 20–200 ms per request: the same 8 × 25 (`jitter`), and 110 Search items in one
 *      execution against Search's 100 a minute (`search`): 0 × 429 is the target for both.
 *   6. Two processes (as two n8n workers, which share nothing in memory): 4 × 25 items in each at once.
 * `npm run bench -- batch concurrency` runs only the cases named.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { BinaryDataService } from 'n8n-core';

import { request } from 'undici';

import { minutesWorkflow, NODE_NAME } from '../test/harness/fixtures';
import { CredentialStore, runWorkflow, useFilesystemBinaryData } from '../test/harness/runWorkflow';
import type { SimulatedMinute } from '../test/simulator/FeishuSimulator';

interface Simulator {
	process: ChildProcess;
	apiUrl: string;
	appId: string;
	appSecret: string;
}

const MiB = 1024 * 1024;

async function startSimulator(args: string[]): Promise<Simulator> {
	const child = spawn(process.execPath, [join(__dirname, 'simulator.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
	const [line] = await new Promise<string[]>((resolve) => {
		createInterface({ input: child.stdout! }).once('line', (first) => resolve([first]));
	});
	return { process: child, ...(JSON.parse(line) as Omit<Simulator, 'process'>) };
}

async function stats(sim: Simulator): Promise<Record<string, number>> {
	const response = await request(`${sim.apiUrl}/__simulator/stats`);
	return (await response.body.json()) as Record<string, number>;
}

function credentialsFor(sim: Simulator): CredentialStore {
	const store = new CredentialStore();
	store.set('feishuApi', { deployment: 'custom', baseUrl: sim.apiUrl, appId: sim.appId, appSecret: sim.appSecret });
	return store;
}

/** The baseline client's view: a token, then a media URL, the way any script would get one. */
async function downloadUrlWithUndici(sim: Simulator, token: string): Promise<string> {
	const auth = await request(`${sim.apiUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ app_id: sim.appId, app_secret: sim.appSecret }),
	});
	const { tenant_access_token } = (await auth.body.json()) as { tenant_access_token: string };
	const media = await request(`${sim.apiUrl}/open-apis/minutes/v1/minutes/${token}/media`, {
		headers: { authorization: `Bearer ${tenant_access_token}` },
	});
	return ((await media.body.json()) as { data: { download_url: string } }).data.download_url;
}

async function undiciToDevNull(url: string): Promise<void> {
	const response = await request(url);
	await pipeline(response.body, createWriteStream('/dev/null'));
}

/** The reference for n8n's own cost: undici's stream handed straight to n8n's binary data store. */
async function undiciIntoStore(binaryData: BinaryDataService, url: string, index: number): Promise<void> {
	const response = await request(url);
	const location = { type: 'execution', workflowId: 'bench', executionId: `undici-${index}` } as const;
	await binaryData.store(location, response.body as unknown as Readable, { mimeType: 'video/mp4', data: '' });
}

/** Runs `task`, sampling RSS; returns seconds taken and the peak RSS above the level at the start. */
async function measure(task: () => Promise<unknown>): Promise<{ seconds: number; peakRssGrowthMiB: number }> {
	global.gc?.();
	const startRss = process.memoryUsage.rss();
	let peak = startRss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
	const started = performance.now();
	try {
		await task();
	} finally {
		clearInterval(sampler);
	}
	peak = Math.max(peak, process.memoryUsage.rss());
	return { seconds: (performance.now() - started) / 1000, peakRssGrowthMiB: (peak - startRss) / MiB };
}

const fmt = (value: number, digits = 2) => value.toFixed(digits);

async function benchBatch(): Promise<void> {
	const items = 50;
	const minutes: SimulatedMinute[] = Array.from({ length: items }, (_, i) => ({ token: `b${String(i).padStart(23, '0')}` }));
	const sim = await startSimulator(['--latency-ms', '400', '--rate-limit', '5', '--minutes', JSON.stringify(minutes)]);
	try {
		const store = credentialsFor(sim);
		const workflow = minutesWorkflow({ minute: '={{ $json.minute }}' });
		const input = minutes.map((minute) => ({ json: { minute: minute.token } }));
		const { seconds } = await measure(async () => {
			const result = await runWorkflow(workflow, { store, items: input });
			const failed = result.error ?? result.output(NODE_NAME).find((item) => item.json.error);
			if (failed) throw new Error(`batch failed: ${JSON.stringify(failed)}`);
		});
		const { tokenRequests, rateLimited, maxInFlight } = await stats(sim);
		const floor = items / 5;
		const oneAtATime = items * 0.4;
		console.log('\n## Batch: 50 items, 400 ms latency, 5 req/s limit enforced by the simulator');
		console.log('| measure | value |\n| --- | --- |');
		console.log(`| ours | ${fmt(seconds)} s |`);
		console.log(`| floor (N / 5 req/s) | ${fmt(floor)} s |`);
		console.log(`| **ours / floor** (target ≤ 1.10) | **${fmt(seconds / floor)}** |`);
		console.log(`| one at a time (N × 400 ms) / ours | ${fmt(oneAtATime / seconds)}× faster |`);
		console.log(`| token requests | ${tokenRequests} |`);
		console.log(`| HTTP 429 from the simulator | ${rateLimited} |`);
		console.log(`| most requests in flight | ${maxInFlight} |`);
	} finally {
		sim.process.kill();
	}
}

async function benchConcurrency(executions: number, itemsEach: number, latency = '400'): Promise<void> {
	const minutes: SimulatedMinute[] = Array.from({ length: itemsEach }, (_, i) => ({ token: `x${String(i).padStart(23, '0')}` }));
	const sim = await startSimulator(['--latency-ms', latency, '--rate-limit', '5', '--minutes', JSON.stringify(minutes)]);
	try {
		const store = credentialsFor(sim);
		const workflow = minutesWorkflow({ minute: '={{ $json.minute }}' }, { continueOnFail: true });
		const input = minutes.map((minute) => ({ json: { minute: minute.token } }));
		let ok = 0;
		const { seconds } = await measure(async () => {
			const results = await Promise.all(Array.from({ length: executions }, async () => await runWorkflow(workflow, { store, items: input })));
			for (const result of results) ok += result.output(NODE_NAME).filter((item) => !item.json.error).length;
		});
		const { tokenRequests, rateLimited } = await stats(sim);
		const total = executions * itemsEach;
		const floor = total / 5;
		console.log(`\n## Executions at once: ${executions} × ${itemsEach} items in one process, ${latency} ms latency, 5 req/s per app enforced`);
		console.log('| measure | value |\n| --- | --- |');
		console.log(`| items ok | ${ok} / ${total} |`);
		console.log(`| ours | ${fmt(seconds)} s |`);
		console.log(`| floor (${total} / 5 req/s) | ${fmt(floor)} s |`);
		console.log(`| **ours / floor** (target ≤ 1.10) | **${fmt(seconds / floor)}** |`);
		console.log(`| HTTP 429 from the simulator (target 0) | ${rateLimited} |`);
		console.log(`| token requests (target ≤ 1) | ${tokenRequests} |`);
	} finally {
		sim.process.kill();
	}
}

/** Search's own budget (100 a minute per app): `items` Search items in one execution, one request each. */
async function benchSearchBudget(items: number): Promise<void> {
	const sim = await startSimulator(['--latency-ms', '20-200', '--rate-limit', '5', '--minutes', JSON.stringify([])]);
	try {
		const store = credentialsFor(sim);
		// a week's window: one search request per item
		const workflow = minutesWorkflow(
			{ operation: 'search', createdAfter: '2024-11-18T00:00:00Z', createdBefore: '2024-11-25T00:00:00Z', returnAll: false, limit: 1 },
			{ continueOnFail: true },
		);
		let failed = 0;
		const { seconds } = await measure(async () => {
			const result = await runWorkflow(workflow, { store, items: Array.from({ length: items }, () => ({ json: {} })) });
			failed = result.output(NODE_NAME).filter((item) => item.json.error).length;
		});
		const { rateLimited } = await stats(sim);
		// 100 at once, the next hundred a minute later, …
		const floor = (Math.ceil(items / 100) - 1) * 60;
		console.log(`\n## Search budget: ${items} Search items in one execution, 20-200 ms latency, 100/min per app enforced`);
		console.log('| measure | value |\n| --- | --- |');
		console.log(`| items failed | ${failed} / ${items} |`);
		console.log(`| ours | ${fmt(seconds)} s |`);
		console.log(`| floor (100 a minute: the last hundred starts after ${floor / 60} min) | ${fmt(floor)} s |`);
		console.log(`| **ours / floor** (target ≤ 1.10) | **${fmt(seconds / floor)}** |`);
		console.log(`| HTTP 429 from the simulator (target 0) | ${rateLimited} |`);
	} finally {
		sim.process.kill();
	}
}

async function benchTwoProcesses(executionsEach: number, itemsEach: number): Promise<void> {
	const minutes: SimulatedMinute[] = Array.from({ length: itemsEach }, (_, i) => ({ token: `x${String(i).padStart(23, '0')}` }));
	const sim = await startSimulator(['--latency-ms', '100', '--rate-limit', '5', '--minutes', JSON.stringify(minutes)]);
	try {
		const worker = async () => {
			const child = spawn(process.execPath, [join(__dirname, 'bench-worker.js'), sim.apiUrl, sim.appId, sim.appSecret, String(executionsEach), String(itemsEach)], {
				stdio: ['ignore', 'pipe', 'inherit'],
			});
			const [line] = await new Promise<string[]>((resolve) => createInterface({ input: child.stdout! }).once('line', (first) => resolve([first])));
			return JSON.parse(line) as { ok: number; seconds: number };
		};
		const started = performance.now();
		const results = await Promise.all([worker(), worker()]);
		const seconds = (performance.now() - started) / 1000;
		const { tokenRequests, rateLimited } = await stats(sim);
		const total = 2 * executionsEach * itemsEach;
		const floor = total / 5;
		console.log(`\n## Two processes (as two n8n workers): ${executionsEach} × ${itemsEach} items in each at once, 100 ms latency, 5 req/s per app enforced`);
		console.log('| measure | value |\n| --- | --- |');
		console.log(`| items ok | ${results.reduce((sum, result) => sum + result.ok, 0)} / ${total} |`);
		console.log(`| ours (each process: ${results.map((result) => `${fmt(result.seconds, 1)} s`).join(', ')}; wall, with process start) | ${fmt(seconds)} s |`);
		console.log(`| floor (${total} / 5 req/s) | ${fmt(floor)} s |`);
		console.log(`| **ours / floor** (queue-mode target ≤ 1.5) | **${fmt(seconds / floor)}** |`);
		console.log(`| HTTP 429 from the simulator (each waited out) | ${rateLimited} |`);
		console.log(`| token requests (one per process) | ${tokenRequests} |`);
	} finally {
		sim.process.kill();
	}
}

async function benchDownloads(title: string, sizes: number[], parallelDownloads: number): Promise<void> {
	const minutes: SimulatedMinute[] = sizes.map((size, i) => ({ token: `d${String(i).padStart(23, '0')}`, size }));
	const sim = await startSimulator(['--minutes', JSON.stringify(minutes)]);
	const storage = mkdtempSync(join(tmpdir(), 'feishu-minutes-bench-'));
	try {
		const binaryData = await useFilesystemBinaryData(storage);
		const store = credentialsFor(sim);
		const workflow = minutesWorkflow({ minute: '={{ $json.minute }}', output: 'file', options: { parallelDownloads } });
		const input = minutes.map((minute) => ({ json: { minute: minute.token } }));

		// Rounds alternate baseline and ours, so both see the same machine; the ratio is the median of the rounds'.
		const runs: Array<{ ours: number; baseline: number; growth: number; undiciToStore: number }> = [];
		for (let round = 0; round < 3; round++) {
			const urls = await Promise.all(minutes.map(async (minute) => await downloadUrlWithUndici(sim, minute.token)));
			const baseline = await measure(async () => await Promise.all(urls.map(undiciToDevNull)));
			// where the time goes: the same URLs (valid for a day), streamed into n8n's binary data store
			const undiciToStore = await measure(
				async () => await Promise.all(urls.map(async (url, i) => await undiciIntoStore(binaryData, url, i))),
			);
			rmSync(storage, { recursive: true, force: true });
			const ours = await measure(async () => {
				const result = await runWorkflow(workflow, { store, items: input });
				if (result.error) throw new Error(`download failed: ${result.error.message}`);
				const bytes = result.output(NODE_NAME).reduce((sum, item) => sum + Number(item.json.fileSize), 0);
				if (bytes !== sizes.reduce((a, b) => a + b, 0)) throw new Error(`downloaded ${bytes} bytes, expected more`);
			});
			rmSync(storage, { recursive: true, force: true });
			runs.push({ ours: ours.seconds, baseline: baseline.seconds, growth: ours.peakRssGrowthMiB, undiciToStore: undiciToStore.seconds });
		}
		const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
		const ours = median(runs.map((run) => run.ours));
		const baseline = median(runs.map((run) => run.baseline));
		const ratio = median(runs.map((run) => run.ours / run.baseline));
		const growth = Math.max(...runs.map((run) => run.growth));
		const totalMiB = sizes.reduce((a, b) => a + b, 0) / MiB;
		console.log(`\n## ${title} (${runs.length} alternating rounds, medians; n8n filesystem binary mode)`);
		console.log('| measure | value |\n| --- | --- |');
		console.log(`| ours | ${fmt(ours)} s (${fmt(totalMiB / ours, 0)} MiB/s) |`);
		console.log(`| undici stream to /dev/null | ${fmt(baseline)} s (${fmt(totalMiB / baseline, 0)} MiB/s) |`);
		console.log(`| **ours / undici** (target ≤ 1.30; rounds: ${runs.map((run) => fmt(run.ours / run.baseline)).join(', ')}) | **${fmt(ratio)}** |`);
		console.log(`| **peak RSS growth** (target < 64 MiB) | **${fmt(growth, 1)} MiB** |`);
		const storeRatio = median(runs.map((run) => run.undiciToStore / run.baseline));
		console.log(`| reference: undici into n8n's binary store (disk) / undici to /dev/null | ${fmt(storeRatio)} |`);
		console.log(`| ours / undici into n8n's binary store | ${fmt(median(runs.map((run) => run.ours / run.undiciToStore)))} |`);
		const { downloadsWithAuthorization } = await stats(sim);
		console.log(`| downloads that carried an Authorization header | ${downloadsWithAuthorization} |`);
	} finally {
		sim.process.kill();
		rmSync(storage, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	process.env.N8N_LOG_LEVEL ??= 'silent';
	console.log(`# n8n-nodes-feishu-minutes benchmark — Node ${process.version}, ${new Date().toISOString()}`);
	const only = process.argv.slice(2);
	const wanted = (name: string) => only.length === 0 || only.includes(name);
	if (wanted('batch')) await benchBatch();
	if (wanted('download')) await benchDownloads('Download: 1 GiB', [1024 * MiB], 3);
	if (wanted('parallel')) await benchDownloads('Parallel downloads: 4 × 256 MiB, Max Parallel Downloads 4', [256 * MiB, 256 * MiB, 256 * MiB, 256 * MiB], 4);
	if (wanted('concurrency')) await benchConcurrency(8, 25);
	if (wanted('jitter')) await benchConcurrency(8, 25, '20-200');
	if (wanted('search')) await benchSearchBudget(110);
	if (wanted('processes')) await benchTwoProcesses(4, 25);
}

main().catch((error: Error) => {
	console.error(error);
	process.exitCode = 1;
});
