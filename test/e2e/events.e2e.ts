/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Pushed events in a real n8n (`n8n start`, production webhook URL): the example workflow
 * "pushed minute → transcript → disk" started by an encrypted, signed event from the simulator.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../harness/fixtures';
import { FeishuSimulator, MEETING_ENDED_EVENT, meetingEndedEvent, pushEvent, sendChallenge, transcript } from '../simulator/FeishuSimulator';
import { e2eVersion, installN8n, installPackedPackage, N8n, ROOT } from './n8n';

const MINUTE = 'obcnpushedminute00000001';
/** The minute a recorded meeting of the connected user became. */
const MEETING_MINUTE = 'obcnmeetingended00000001';
const SECRETS = { encryptKey: 'e2e-encrypt-key-0123456789', verificationToken: 'e2e-verification-token-abc' };
/** At most 16 characters: n8n 1.x saves no static data (seen event IDs, the subscription) for a longer workflow ID. */
const WORKFLOW_ID = 'feishuMinPush001';

let n8n: N8n;
let feishu: FeishuSimulator;
let server: { process: import('node:child_process').ChildProcess; log: () => string } | undefined;
let port: number;
let url: string;
let folder: string;

const saved = (minute = MINUTE) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.startsWith(minute)) : []);

async function startN8n(): Promise<void> {
	server = await n8n.start(port);
	// the webhook is registered a moment after the editor is up
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		const probe = await sendChallenge(url, SECRETS).catch(() => undefined);
		if (probe?.status === 200) return;
		await new Promise((done) => setTimeout(done, 500));
	}
	throw new Error(`the webhook never answered:\n${server.log().slice(-3000)}`);
}

async function stopN8n(): Promise<void> {
	if (!server) return;
	const stopping = server.process;
	stopping.kill('SIGTERM');
	await new Promise((done) => (stopping.exitCode !== null ? done(0) : stopping.once('exit', done)));
	server = undefined;
}

async function waitForFiles(count: number, timeoutMs = 30_000, minute = MINUTE): Promise<number> {
	const started = Date.now();
	// written by n8n a moment after the file appears: wait for its content too
	const written = () => saved(minute).filter((name) => statSync(join(folder, name)).size > 0).length;
	while (written() < count && Date.now() - started < timeoutMs) await new Promise((done) => setTimeout(done, 100));
	return Date.now() - started;
}

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);
	feishu = await new FeishuSimulator().start();
	feishu.addMinute({ token: MINUTE, title: '推送 Pushed minute', createTime: Date.now() });
	folder = join(n8n.filesFolder, 'transcripts');
	mkdirSync(folder, { recursive: true });

	await n8n.importJson('credentials', [
		{ id: 'feishuUserOAuth01', name: 'Feishu user account', type: 'feishuOAuth2Api', data: connectedUser(feishu, { ...SECRETS }) },
	]);
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'pushed-minute-transcript.workflow.json'), 'utf8')) as IWorkflowBase;
	const save = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile')!;
	save.parameters = { ...save.parameters, fileName: `=${folder}/{{ $json.minuteToken }}-{{ $execution.id }}.txt` };
	workflow.id = WORKFLOW_ID;
	const trigger = workflow.nodes.find((node) => node.type.endsWith('feishuMinutesEventTrigger'))!;
	trigger.parameters = { ...trigger.parameters, events: ['minutes.minute.generated_v1', MEETING_ENDED_EVENT] };
	await n8n.importJson('workflow', [workflow]);
	await n8n.publish(WORKFLOW_ID);

	port = 16678 + Math.floor(Math.random() * 1000);
	url = `http://127.0.0.1:${port}/webhook/${trigger.webhookId}/feishu-minutes`;
	await startN8n();
}, 1_200_000);

afterAll(async () => {
	await stopN8n();
	await feishu?.stop();
	n8n?.cleanUp();
});

test('publishing turned the event on for the connected user; the encrypted challenge is answered within 1 s', async () => {
	// n8n turns the event on while it activates the workflow, which may finish after the webhook answers
	const deadline = Date.now() + 30_000;
	while (!feishu.subscriptionCalls.includes('on') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 250));
	expect(feishu.subscriptionCalls).toContain('on');
	const challenge = (await sendChallenge(url, SECRETS)) as { status: number; body: unknown; ms: number; challenge: string };
	expect(challenge.status).toBe(200);
	expect(challenge.body).toEqual({ challenge: challenge.challenge });
	expect(challenge.ms).toBeLessThan(1000);
});

test('a signed, encrypted event starts the workflow once, whose file holds the transcript; copies start nothing, even after a restart', async () => {
	const posted = Date.now();
	const first = await pushEvent(url, { ...SECRETS, minuteToken: MINUTE });
	expect(first.statuses).toEqual([200]);
	const ms = await waitForFiles(1);
	expect(saved()).toHaveLength(1);
	expect(readFileSync(join(folder, saved()[0]), 'utf8')).toBe(transcript('txt', true, true));
	console.log(`pushed event → transcript on disk: ${ms} ms after the post (answered in ${Date.now() - posted - ms} ms or less)`);

	for (let i = 0; i < 3; i++) expect((await pushEvent(url, { ...SECRETS, minuteToken: MINUTE, eventId: first.eventId })).statuses).toEqual([200]);
	await stopN8n();
	await startN8n();
	expect((await pushEvent(url, { ...SECRETS, minuteToken: MINUTE, eventId: first.eventId })).statuses).toEqual([200]);
	await new Promise((done) => setTimeout(done, 3000));
	expect(saved()).toHaveLength(1);
});

test('a recorded meeting of the connected user ended: its minute\'s transcript once; a copy under a new event ID and others\' meetings start nothing', async () => {
	feishu.addMinute({ token: MEETING_MINUTE, title: 'Weekly sync', createTime: Date.now() });
	const ended = { startTime: Date.now() - 3600_000, endTime: Date.now() - 60_000 };
	const mine = feishu.addMeeting({ id: '7100000000000000901', topic: 'Weekly sync', ...ended, recording: { minuteToken: MEETING_MINUTE } });
	const others = feishu.addMeeting({ id: '7100000000000000902', topic: 'Board', ownerId: 'ou_other_user', ...ended, recording: { minuteToken: MEETING_MINUTE } });

	expect((await pushEvent(url, { ...SECRETS, eventType: MEETING_ENDED_EVENT, event: meetingEndedEvent(mine) })).statuses).toEqual([200]);
	await waitForFiles(1, 30_000, MEETING_MINUTE);
	expect(saved(MEETING_MINUTE)).toHaveLength(1);
	expect(readFileSync(join(folder, saved(MEETING_MINUTE)[0]), 'utf8')).toBe(transcript('txt', true, true));

	expect((await pushEvent(url, { ...SECRETS, eventType: MEETING_ENDED_EVENT, event: meetingEndedEvent(mine) })).statuses).toEqual([200]);
	expect((await pushEvent(url, { ...SECRETS, eventType: MEETING_ENDED_EVENT, event: meetingEndedEvent(others) })).statuses).toEqual([200]);
	await new Promise((done) => setTimeout(done, 3000));
	expect(saved(MEETING_MINUTE)).toHaveLength(1);
	// the other user's meeting was asked about once, and refused (121005)
	expect(feishu.requestsTo(`/meetings/${others.id}/recording`)).toHaveLength(1);
});

test.each([
	['a forged signature', { tamper: 'signature' as const }, 401],
	['another Verification Token', { tamper: 'token' as const }, 403],
	['a replayed (9 h old) timestamp', { timestamp: Math.floor(Date.now() / 1000) - 9 * 3600 }, 401],
	['a body that does not decrypt', { tamper: 'garbage' as const }, 400],
])('%s is refused, and nothing starts', async (_case, options, status) => {
	const before = saved().length;
	const { statuses } = await pushEvent(url, { ...SECRETS, minuteToken: MINUTE, ...options });
	expect(statuses).toEqual([status]);
	await new Promise((done) => setTimeout(done, 1500));
	expect(saved()).toHaveLength(before);
});

test('unpublishing turns the event off', async () => {
	// 2.x: `unpublish:workflow`, applied by the running n8n; 1.x: the editor's deactivate call (it ignores the CLI while running)
	await n8n.unpublish(WORKFLOW_ID);
	const deadline = Date.now() + 30_000;
	while (!feishu.subscriptionCalls.includes('off') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 500));
	expect(feishu.subscriptionCalls).toContain('off');
});
