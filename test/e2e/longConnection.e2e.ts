/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The Long Connection Trigger in a real n8n (`n8n start`, Node's own WebSocket): the example workflow "pushed
 * minute → transcript → disk" started over the simulator's long connection — once per event, again after a
 * dropped connection is re-opened, and nothing left open after unpublishing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../harness/fixtures';
import { FeishuSimulator, minuteEvent, transcript } from '../simulator/FeishuSimulator';
import { e2eVersion, installN8n, installPackedPackage, N8n, PACKAGE_NAME, ROOT } from './n8n';

const MINUTE = 'obcnlongconnection000001';
/** At most 16 characters (n8n 1.x keeps no static data for longer workflow IDs). */
const WORKFLOW_ID = 'feishuMinLong001';

let n8n: N8n;
let feishu: FeishuSimulator;
let server: { process: import('node:child_process').ChildProcess; log: () => string } | undefined;
let folder: string;

const saved = () => (existsSync(folder) ? readdirSync(folder).filter((name) => name.startsWith(MINUTE)) : []);

async function waitForFiles(count: number, timeoutMs = 30_000): Promise<number> {
	const started = Date.now();
	// written by n8n a moment after the file appears: wait for its content too
	const written = () => saved().filter((name) => statSync(join(folder, name)).size > 0).length;
	while (written() < count && Date.now() - started < timeoutMs) await new Promise((done) => setTimeout(done, 100));
	return Date.now() - started;
}

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);
	feishu = await new FeishuSimulator({ longConnection: { pingIntervalS: 5, reconnectIntervalS: 1, reconnectNonceS: 1 } }).start();
	feishu.addMinute({ token: MINUTE, title: '长连接 Long connection', createTime: Date.now() });
	folder = join(n8n.filesFolder, 'long-connection');
	mkdirSync(folder, { recursive: true });

	await n8n.importJson('credentials', [{ id: 'feishuUserOAuth01', name: 'Feishu user account', type: 'feishuOAuth2Api', data: connectedUser(feishu) }]);
	// the pushed-minute example, with the long-connection trigger in place of the Request URL one
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'pushed-minute-transcript.workflow.json'), 'utf8')) as IWorkflowBase;
	const trigger = workflow.nodes.find((node) => node.type.endsWith('feishuMinutesEventTrigger'))!;
	trigger.type = `${PACKAGE_NAME}.feishuMinutesLongConnectionTrigger`;
	delete trigger.webhookId;
	const save = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile')!;
	save.parameters = { ...save.parameters, fileName: `=${folder}/{{ $json.minuteToken }}-{{ $execution.id }}.txt` };
	workflow.id = WORKFLOW_ID;
	await n8n.importJson('workflow', [workflow]);
	await n8n.publish(WORKFLOW_ID);
	server = await n8n.start(16678 + Math.floor(Math.random() * 1000));
}, 1_200_000);

afterAll(async () => {
	server?.process.kill('SIGTERM');
	await feishu?.stop();
	n8n?.cleanUp();
});

test('publishing opens one long connection and turns the event on for the connected user', async () => {
	await feishu.longConnection.waitForConnections(1, 90_000);
	expect(feishu.longConnection.connections).toBe(1);
	expect(feishu.subscriptionCalls).toContain('on');
});

test('an event starts the workflow once, whose file holds the transcript; a copy starts nothing', async () => {
	const posted = Date.now();
	const first = minuteEvent(MINUTE, 'lc-event-1');
	expect(await feishu.longConnection.push(first)).toMatchObject({ delivered: true, acked: true, ackCode: 200 });
	const ms = await waitForFiles(1);
	expect(saved()).toHaveLength(1);
	expect(readFileSync(join(folder, saved()[0]), 'utf8')).toBe(transcript('txt', true, true));
	console.log(`long connection: event → transcript on disk ${ms} ms after the push (acknowledged within ${Date.now() - posted - ms} ms or less)`);

	expect(await feishu.longConnection.push(first, { fragments: 3 })).toMatchObject({ acked: true });
	await new Promise((done) => setTimeout(done, 3000));
	expect(saved()).toHaveLength(1);
	expect(feishu.longConnection.badAcks).toBe(0);
});

test('the connection is dropped: it reconnects by itself, and the next event starts the workflow again', async () => {
	await feishu.longConnection.drop('terminate');
	await feishu.longConnection.waitForConnections(1, 30_000);
	expect(feishu.longConnection.connectionsOpened).toBe(2);
	expect(await feishu.longConnection.push(minuteEvent(MINUTE, 'lc-event-2'))).toMatchObject({ acked: true });
	await waitForFiles(2);
	expect(saved()).toHaveLength(2);
});

test('n8n shutting down closes the connection; started again, it reconnects, and a copy of an old event still starts nothing', async () => {
	const stopping = server!.process;
	stopping.kill('SIGTERM');
	await new Promise((done) => (stopping.exitCode !== null ? done(0) : stopping.once('exit', done)));
	expect(feishu.longConnection.connections).toBe(0);

	server = await n8n.start(16678 + Math.floor(Math.random() * 1000));
	await feishu.longConnection.waitForConnections(1, 90_000);
	expect(await feishu.longConnection.push(minuteEvent(MINUTE, 'lc-event-1'))).toMatchObject({ acked: true });
	await new Promise((done) => setTimeout(done, 3000));
	expect(saved()).toHaveLength(2);
});

test('unpublishing closes the connection, and no reconnect follows', async () => {
	await n8n.unpublish(WORKFLOW_ID);
	const deadline = Date.now() + 30_000;
	while (feishu.longConnection.connections > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 250));
	expect(feishu.longConnection.connections).toBe(0);
	const calls = feishu.longConnection.endpointCalls;
	await new Promise((done) => setTimeout(done, 4000));
	expect(feishu.longConnection.endpointCalls).toBe(calls);
	expect(feishu.longConnection.connections).toBe(0);
});
