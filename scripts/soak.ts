/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * `npm run soak`: months unattended, compressed into minutes. n8n in queue mode (Redis, PostgreSQL,
 * main + 2 workers + 1 webhook process) against the Feishu simulator on a compressed clock: access
 * tokens live 20 s (Feishu's 2 h), refresh tokens are single use and answered after 0–3 s. A new
 * minute every few seconds is pushed to the Event Trigger (some copies repeated, some at once to two
 * processes) and found by the polling Trigger; each gets Get Media (file) and Get Transcript; every
 * simulated hour a batch searches and gets AI notes. About 2 % of requests meet an injected fault,
 * and one worker is killed (SIGKILL) and restarted mid-run. Prints progress, then one JSON line.
 *   SOAK_MINUTES=10 (default) npm run soak
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { connectedUser } from '../test/harness/fixtures';
import { DEFAULT_APP, FeishuSimulator, pushEvent } from '../test/simulator/FeishuSimulator';
import { Sink } from './soak/sink';
import { QueueStack } from './soak/stack';
import { APP_CREDENTIAL, EVENT_WEBHOOK_ID, REDIS_CREDENTIAL, soakWorkflows, USER_CREDENTIAL } from './soak/workflows';
import { FaultInjector } from './soak/faults';
import { report } from './soak/report';

const SOAK_MS = Number(process.env.SOAK_MINUTES ?? 10) * 60_000;
/** Feishu's 2 h token lifetime, as 20 s: one real second is 360 Feishu seconds. */
const TOKEN_LIFETIME_MS = 20_000;
const CLOCK_SCALE = 7200_000 / TOKEN_LIFETIME_MS;
const NEW_MINUTE_EVERY_MS = 4000;
/** Every this many minutes, one whose media Feishu refuses for good (permission, 2091005). */
const PERMANENT_FAULT_EVERY = 25;
const SECRETS = { encryptKey: 'soak-encrypt-key-0123456789', verificationToken: 'soak-verification-token-0123' };
/** After the last new minute, how long stragglers may take to arrive. */
const DRAIN_MS = 120_000;

/** Each n8n process's log is kept here after the run. */
const LOG_FOLDER = join(tmpdir(), 'feishu-minutes-soak-logs');

const sleep = async (ms: number) => await new Promise((done) => setTimeout(done, ms));
const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
	const root = mkdtempSync(join(tmpdir(), 'feishu-minutes-soak-'));
	const feishu = await new FeishuSimulator({ tokenLifetimeMs: TOKEN_LIFETIME_MS, refreshDelayMs: [0, 3000], latencyMs: [20, 120] }).start();
	const sink = await new Sink().start();
	const stack = new QueueStack(root);
	const faults = new FaultInjector(feishu);
	try {
		log(`starting Redis, PostgreSQL and n8n (main, 2 workers, webhook process) in ${root}`);
		await stack.start(
			(redisPort) => [
				{ ...USER_CREDENTIAL, type: 'feishuOAuth2Api', data: connectedUser(feishu, SECRETS) },
				{ ...APP_CREDENTIAL, type: 'feishuApi', data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP } },
				{ ...REDIS_CREDENTIAL, type: 'redis', data: { host: '127.0.0.1', port: redisPort, database: 0, password: '' } },
			],
			soakWorkflows(sink.url),
		);
		const eventUrls = [stack.mainPort, stack.webhookPort].map((port) => `http://127.0.0.1:${port}/webhook/${EVENT_WEBHOOK_ID}/feishu-minutes`);
		// let the polling Trigger take its baseline before the first minute
		await sleep(12_000);

		const created: Array<{ token: string; permanent: boolean }> = [];
		let deliveries = 0;
		let killed: { heldExecutions: string[]; workingOn: Record<string, string[]>; restartedAt: number } | undefined;
		// each process's RSS every 30 s; a process's growth counts from its warm-up sample
		const rssSeries: Array<{ at: number; sizes: Record<string, number> }> = [];
		const started = Date.now();
		log(`running for ${SOAK_MS / 60_000} min: a new minute every ${NEW_MINUTE_EVERY_MS / 1000} s`);
		const pushes: Array<Promise<void>> = [];
		for (let index = 0; Date.now() - started < SOAK_MS; index++) {
			const permanent = index % PERMANENT_FAULT_EVERY === PERMANENT_FAULT_EVERY - 1;
			const token = `soak${String(index).padStart(20, '0')}`;
			feishu.addMinute({ token, title: `Soak ${index}`, size: 64 * 1024, createTime: Date.now(), ...(permanent ? { mediaError: 2091005 } : {}) });
			created.push({ token, permanent });
			pushes.push(
				deliver(eventUrls, token, index, (count) => {
					deliveries += count;
				}),
			);
			faults.tick(index);
			const elapsed = (Date.now() - started) / SOAK_MS;
			if (!killed && elapsed > 0.25) killed = await killAndRestart(stack, created.map((minute) => minute.token));
			if (rssSeries.length === 0 || Date.now() - rssSeries[rssSeries.length - 1].at >= 30_000) rssSeries.push({ at: Date.now(), sizes: stack.rssMiB() });
			if (index % 15 === 0) log(`${created.length} minutes, ${sink.records.length} items reported, ${feishu.stats().rateLimited} × 429, ${feishu.userTokenRefreshes} refreshes`);
			await sleep(NEW_MINUTE_EVERY_MS);
		}
		await Promise.all(pushes);
		const runMs = Date.now() - started;
		log(`stopped creating minutes; draining for up to ${DRAIN_MS / 1000} s`);
		const expected = (workflow: 'pushed' | 'polled') =>
			created.filter(({ token, permanent }) => !(workflow === 'polled' && permanent) && !sink.records.some((record) => record.workflow === workflow && record.minute === token));
		for (const deadline = Date.now() + DRAIN_MS; Date.now() < deadline && expected('pushed').length + expected('polled').length > 0; ) await sleep(2000);
		await sleep(5000);

		const executions = stack.executions();
		stack.saveLogs(LOG_FOLDER);
		const result = report({
			runMs,
			clockScale: CLOCK_SCALE,
			created,
			deliveries,
			sink,
			feishu,
			faults,
			executions,
			killedWith: killed?.workingOn ?? {},
			rss: { warm: warmUp(rssSeries, started, killed?.restartedAt), end: stack.rssMiB() },
			killed,
		});
		log(`RSS (MiB) every 30 s: ${rssSeries.map(({ sizes }) => Object.entries(sizes).map(([name, mib]) => `${name} ${Math.round(mib)}`).join(' ')).join(' | ')}`);
		log(`process logs: ${LOG_FOLDER}; unexpected failures: ${JSON.stringify(result.details.unexpectedFailures.slice(0, 5))}`);
		console.log(JSON.stringify(result.summary));
		if (result.problems.length > 0) {
			console.error(`soak goals missed: ${result.problems.join('; ')}`);
			process.exitCode = 1;
		}
	} finally {
		await stack.stop();
		await sink.stop();
		await feishu.stop();
		rmSync(root, { recursive: true, force: true });
	}

	/** Feishu's delivery: to one process; 10 % again 1–3 times, some at once to both processes. */
	async function deliver(urls: string[], token: string, index: number, count: (n: number) => void): Promise<void> {
		const url = urls[index % urls.length];
		const createTime = Date.now();
		const first = await pushEvent(url, { ...SECRETS, minuteToken: token, createTime, retryDelaysMs: [1000, 5000] });
		count(first.statuses.length);
		if (Math.random() >= 0.1) return;
		const copies = 1 + Math.floor(Math.random() * 3);
		for (let copy = 0; copy < copies; copy++) {
			if (copy === 0 && Math.random() < 0.5) {
				// copies that reach two processes at the same instant
				const both = await Promise.all(urls.map(async (target) => await pushEvent(target, { ...SECRETS, minuteToken: token, createTime, eventId: first.eventId })));
				count(both.length);
			} else {
				await sleep(1000 + Math.random() * 4000);
				await pushEvent(urls[(index + copy + 1) % urls.length], { ...SECRETS, minuteToken: token, createTime, eventId: first.eventId });
				count(1);
			}
		}
	}

	async function killAndRestart(running: QueueStack, tokens: string[]): Promise<{ heldExecutions: string[]; workingOn: Record<string, string[]>; restartedAt: number }> {
		const worker = running.processes.get('worker1')!;
		const holding = () => {
			const started = [...worker.log().matchAll(/started execution (\d+)/g)].map((match) => match[1]);
			const finished = new Set([...worker.log().matchAll(/finished execution (\d+)/g)].map((match) => match[1]));
			return started.filter((id) => !finished.has(id));
		};
		// kill it mid-execution: wait (bounded) for a moment it holds one
		for (const deadline = Date.now() + 20_000; holding().length === 0 && Date.now() < deadline; ) await sleep(50);
		const held = holding();
		// what they work on, read now: n8n overwrites a crashed execution's data with the error
		const workingOn = running.tokensIn(held, tokens, LOG_FOLDER);
		log(`killing worker1 (SIGKILL) while it holds executions [${held.join(', ')}] on minutes [${Object.values(workingOn).flat().join(', ')}]`);
		await running.killWorker('worker1');
		await sleep(3000);
		await running.startWorker('worker1');
		log('worker1 restarted');
		return { heldExecutions: held, workingOn, restartedAt: Date.now() };
	}
}

/**
 * Each process's RSS once warmed up: half way through the run, or for the restarted worker 3 minutes
 * after its restart (a fresh n8n grows for its first minutes). A process with no such sample is left out.
 */
function warmUp(series: Array<{ at: number; sizes: Record<string, number> }>, started: number, restartedAt = 0): Record<string, number> {
	const warm: Record<string, number> = {};
	for (const { at, sizes } of series) {
		for (const [name, mib] of Object.entries(sizes)) {
			const from = name === 'worker1' ? Math.max(started + SOAK_MS / 2, restartedAt + 180_000) : started + SOAK_MS / 2;
			if (at >= from && warm[name] === undefined) warm[name] = mib;
		}
	}
	return warm;
}

main().catch((error: Error) => {
	console.error(error);
	process.exitCode = 1;
});
