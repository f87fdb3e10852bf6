/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * `npm run test:queue`: n8n 2.41.1 in queue mode — main + two workers over Redis, PostgreSQL as the
 * database, the packed package installed in every process's own folder — and a webhook workflow
 * fired many times at once against the Feishu simulator enforcing 5 requests/s per app. The workers
 * cannot see each other's limiter: the node must converge (AIMD, its own 429 allowance), not fail.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../harness/fixtures';
import { DEFAULT_APP, FeishuSimulator, minuteEvent } from '../simulator/FeishuSimulator';
import { installN8n, installPackedPackage, N8n, PACKAGE_NAME } from '../e2e/n8n';
import { ensurePackages, freePort, queueModeEnv, type Service, startPostgres, startRedis, waitFor } from './services';

const EXECUTIONS = 8;
const ITEMS = 25;
const CREDENTIAL = { id: 'feishuQueueCred01', name: 'Feishu account' };
const USER_CREDENTIAL = { id: 'feishuQueueUser01', name: 'Feishu user account' };
const WEBHOOK_PATH = 'feishu-burst';
const DATABASE = { user: 'n8n', password: 'n8n-queue-test', name: 'n8n' };

let root: string;
let services: Service[] = [];
let feishu: FeishuSimulator;
const processes: Array<{ process: import('node:child_process').ChildProcess; log: () => string }> = [];
let webhookUrl: string;
let workerLogs: Array<() => string> = [];

const minuteTokens = Array.from({ length: ITEMS }, (_, i) => `q${String(i).padStart(23, '0')}`);

/** Webhook (answers with every item of the last node) → Split Out the minutes → Get Media (URL), Continue On Fail. */
function burstWorkflow(): IWorkflowBase {
	return {
		id: 'queueBurst000001',
		name: 'queue burst',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'a1b2c3d4-0000-4000-8000-feishuqueue01',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				id: 'split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [200, 0],
				parameters: { fieldToSplitOut: 'body.minutes', options: { destinationFieldName: 'minute' } },
			},
			{
				id: 'minutes',
				name: 'Feishu Minutes',
				type: `${PACKAGE_NAME}.feishuMinutes`,
				typeVersion: 1,
				position: [400, 0],
				parameters: { resource: 'minute', operation: 'getMedia', minute: '={{ $json.minute }}', output: 'url' },
				credentials: { feishuApi: CREDENTIAL },
				onError: 'continueRegularOutput',
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Feishu Minutes', type: 'main', index: 0 }]] },
		},
	} as unknown as IWorkflowBase;
}

async function fire(): Promise<Array<Record<string, unknown>>> {
	const response = await fetch(webhookUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ minutes: minuteTokens }),
		signal: AbortSignal.timeout(240_000),
	});
	const body = (await response.json()) as unknown;
	if (!Array.isArray(body)) throw new Error(`webhook answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
	return body as Array<Record<string, unknown>>;
}

/** Long Connection Trigger (new minutes) → No Operation: who holds the connection, and where its runs go. */
function longConnectionWorkflow(): IWorkflowBase {
	return {
		id: 'queueLongConn001',
		name: 'queue long connection',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'trigger',
				name: 'Long connection',
				type: `${PACKAGE_NAME}.feishuMinutesLongConnectionTrigger`,
				typeVersion: 1,
				position: [0, 0],
				parameters: { events: ['minutes.minute.generated_v1'], includeDetails: false },
				credentials: { feishuOAuth2Api: USER_CREDENTIAL },
			},
			{ id: 'noop', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
		],
		connections: { 'Long connection': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
	} as unknown as IWorkflowBase;
}

const executionsBy = (log: () => string) => (log().match(/Worker started execution/g) ?? []).length;

beforeAll(async () => {
	ensurePackages();
	const install = installN8n();
	root = mkdtempSync(join(tmpdir(), 'feishu-minutes-queue-'));
	const redis = await startRedis(root);
	services.push(redis);
	const postgres = await startPostgres(join(root, 'postgres'), DATABASE);
	services.push(postgres);

	feishu = await new FeishuSimulator({ latencyMs: 100, longConnection: { pingIntervalS: 5, reconnectIntervalS: 1, reconnectNonceS: 1 } }).start();
	for (const token of minuteTokens) feishu.addMinute({ token });

	const queueEnv = queueModeEnv(redis.port, postgres.port, DATABASE);
	// every process loads community nodes from its own folder: install the package in each
	const folder = (name: string) => {
		const path = join(root, name);
		mkdirSync(path, { recursive: true });
		installPackedPackage(path);
		return path;
	};
	const main = new N8n(install, folder('main'), queueEnv);
	await main.importJson('credentials', [
		{ ...CREDENTIAL, type: 'feishuApi', data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP } },
		{ ...USER_CREDENTIAL, type: 'feishuOAuth2Api', data: connectedUser(feishu) },
	]);
	await main.importJson('workflow', [burstWorkflow(), longConnectionWorkflow()]);
	for (const workflow of [burstWorkflow(), longConnectionWorkflow()]) {
		const published = await main.run(['publish:workflow', `--id=${workflow.id}`]);
		if (published.status !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
	}

	const mainPort = await freePort();
	const workers = await Promise.all(
		['worker1', 'worker2'].map(async (name) => await new N8n(install, folder(name), queueEnv).worker(await freePort())),
	);
	processes.push(...workers);
	workerLogs = workers.map((worker) => worker.log);
	processes.push(await main.start(mainPort));
	webhookUrl = `http://127.0.0.1:${mainPort}/webhook/${WEBHOOK_PATH}`;
	// main is ready before its webhooks are registered: probe the path until it answers
	await waitFor(async () => {
		const probe = await fetch(webhookUrl, {
			method: 'OPTIONS',
			headers: { Origin: 'http://127.0.0.1', 'Access-Control-Request-Method': 'POST' },
		}).catch(() => undefined);
		return probe?.status === 204;
	}, 'the webhook', 120_000);
}, 900_000);

afterAll(async () => {
	for (const child of processes) child.process.kill('SIGTERM');
	await Promise.all(processes.map(async (child) => await new Promise((done) => (child.process.exitCode !== null ? done(0) : child.process.once('exit', done)))));
	await feishu?.stop();
	for (const service of services.reverse()) service.stop();
	services = [];
	if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

test(`${EXECUTIONS} × ${ITEMS} items at once over two workers: every item ok, within 1.5 × the 5/s floor`, async () => {
	const before = feishu.stats();
	const started = Date.now();
	const answers = await Promise.all(Array.from({ length: EXECUTIONS }, fire));
	const seconds = (Date.now() - started) / 1000;
	const after = feishu.stats();

	const items = answers.flat();
	const failed = items.filter((item) => item.error);
	expect({ items: items.length, failed: failed.slice(0, 3) }).toEqual({ items: EXECUTIONS * ITEMS, failed: [] });
	const floor = (EXECUTIONS * ITEMS) / 5;
	const rateLimited = after.rateLimited - before.rateLimited;
	console.log(
		`queue mode, 2 workers, ${EXECUTIONS} × ${ITEMS} at once: ${items.length - failed.length}/${items.length} ok in ${seconds.toFixed(1)} s ` +
			`(floor ${floor} s, ratio ${(seconds / floor).toFixed(2)}), HTTP 429 answered: ${rateLimited}, ` +
			`token requests: ${after.tokenRequests - before.tokenRequests}, executions per worker: ${workerLogs.map(executionsBy).join(' + ')}`,
	);
	expect(workerLogs.every((log) => executionsBy(log) > 0)).toBe(true);
	expect(seconds / floor).toBeLessThanOrEqual(1.5);
}, 600_000);

test('after a revocation, one worker fetches and stores a token; the other uses the stored one', async () => {
	feishu.revokeTokens();
	const tokensBefore = feishu.tokenRequests;
	const first = await fire();
	expect(first.filter((item) => item.error)).toEqual([]);
	expect(feishu.tokenRequests - tokensBefore).toBe(1);

	const executionsBefore = workerLogs.map(executionsBy);
	const answers = await Promise.all(Array.from({ length: 6 }, fire));
	expect(answers.flat().filter((item) => item.error)).toEqual([]);
	const ran = workerLogs.map((log, i) => executionsBy(log) - executionsBefore[i]);
	expect(ran.every((count) => count > 0)).toBe(true);
	expect(feishu.tokenRequests - tokensBefore).toBe(1);
	console.log(`after a revocation: 1 token request, then 6 executions over ${ran.join(' + ')} per worker with no more`);
}, 600_000);

test('the Long Connection Trigger runs on main only: one connection for the app, each event one execution on a worker', async () => {
	await feishu.longConnection.waitForConnections(1, 60_000);
	// workers and main are all up: still the one connection main opened
	await new Promise((done) => setTimeout(done, 3000));
	expect(feishu.longConnection.connections).toBe(1);
	expect(feishu.longConnection.connectionsOpened).toBe(1);

	const before = workerLogs.map(executionsBy).reduce((sum, count) => sum + count, 0);
	for (const id of ['queue-lc-1', 'queue-lc-2']) expect(await feishu.longConnection.push(minuteEvent('q00000000000000000000000', id))).toMatchObject({ acked: true });
	await waitFor(() => workerLogs.map(executionsBy).reduce((sum, count) => sum + count, 0) - before >= 2, 'two executions', 60_000);
	await new Promise((done) => setTimeout(done, 3000));
	expect(workerLogs.map(executionsBy).reduce((sum, count) => sum + count, 0) - before).toBe(2);
}, 300_000);
