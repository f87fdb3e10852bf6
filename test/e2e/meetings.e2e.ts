/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * From a meeting to its minute in a real n8n (`n8n execute`): meeting ID → Get Recording → Get Transcript, and
 * the example "every evening: today's recorded meetings → AI notes" with a Manual Trigger in place of the schedule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../harness/fixtures';
import { DEFAULT_APP, FeishuSimulator } from '../simulator/FeishuSimulator';
import { e2eVersion, installN8n, installPackedPackage, N8n, PACKAGE_NAME, ROOT } from './n8n';

const MINUTE = 'obcnmeetingminute0000001';
const RECORDED = '7100000000000000777';
const NOT_RECORDED = '7100000000000000778';
const CREDENTIAL = { id: 'feishuSimulator01', name: 'Feishu account' };
const USER_CREDENTIAL = { id: 'feishuUserOAuth01', name: 'Feishu user account' };

let n8n: N8n;
let feishu: FeishuSimulator;

/** Manual Trigger → Get Recording (meeting ID, app credential) → Get Transcript of `{{ $json.minuteToken }}`. */
function recordingToTranscript(): IWorkflowBase {
	const minutesNode = (name: string, x: number, typeVersion: number, parameters: Record<string, unknown>) => ({
		id: name,
		name,
		type: `${PACKAGE_NAME}.feishuMinutes`,
		typeVersion,
		position: [x, 0] as [number, number],
		parameters,
		credentials: { feishuApi: CREDENTIAL },
	});
	return {
		id: 'e2eMeetingRec001',
		name: 'e2e meeting → recording → transcript',
		active: false,
		nodes: [
			{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			minutesNode('Get Recording', 240, 2, { resource: 'meeting', operation: 'getRecording', meeting: { __rl: true, mode: 'id', value: RECORDED } }),
			minutesNode('Get Transcript', 480, 1, { resource: 'minute', operation: 'getTranscript', minute: '={{ $json.minuteToken }}', output: 'text' }),
		],
		connections: {
			Start: { main: [[{ node: 'Get Recording', type: 'main', index: 0 }]] },
			'Get Recording': { main: [[{ node: 'Get Transcript', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}

/** The repository's evening example, started by hand: its Schedule Trigger becomes a Manual Trigger. */
function eveningExample(): IWorkflowBase {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'evening-meeting-notes.workflow.json'), 'utf8')) as IWorkflowBase;
	const schedule = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger')!;
	Object.assign(schedule, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
	workflow.id = 'e2eEveningNotes1';
	return workflow;
}

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);

	feishu = await new FeishuSimulator().start();
	// "today" in whatever zone n8n runs the workflow in: a few minutes ago
	const at = Date.now() - 10 * 60_000;
	feishu.addMinute({ token: MINUTE, title: '周会 Weekly sync' });
	feishu.addMeeting({ id: RECORDED, topic: '周会 Weekly sync', startTime: at, endTime: at + 30_000, recording: { minuteToken: MINUTE } });
	feishu.addMeeting({ id: NOT_RECORDED, topic: 'Stand-up', startTime: at + 1000, endTime: at + 20_000 });

	await n8n.importJson('credentials', [
		{ ...CREDENTIAL, type: 'feishuApi', data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP } },
		{ ...USER_CREDENTIAL, type: 'feishuOAuth2Api', data: connectedUser(feishu) },
	]);
	await n8n.importJson('workflow', [recordingToTranscript(), eveningExample()]);
}, 1_200_000);

afterAll(async () => {
	await feishu?.stop();
	n8n?.cleanUp();
});

test('a meeting ID → Get Recording → Get Transcript: the transcript of the minute the recording became', async () => {
	const { status, run, output } = await n8n.execute('e2eMeetingRec001');

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const [recording] = run!.data.resultData.runData['Get Recording'][0].data!.main[0];
	expect(recording.json).toEqual({ meetingId: RECORDED, minuteToken: MINUTE, url: `https://meetings.feishu.cn/minutes/${MINUTE}`, duration: 1800000 });
	const [item] = run!.data.resultData.runData['Get Transcript'][0].data!.main[0];
	expect(item.json).toMatchObject({ minuteToken: MINUTE, format: 'txt' });
	expect(String(item.json.transcript).length).toBeGreaterThan(20);
});

test('the evening example: today\'s meetings → AI notes of the recorded one, an error item naming the one without a recording', async () => {
	const { status, run, output } = await n8n.execute('e2eEveningNotes1');

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const found = run!.data.resultData.runData["Today's meetings"][0].data!.main[0].map((item) => item.json.meetingId);
	expect(found.sort()).toEqual([RECORDED, NOT_RECORDED]);
	const notes = run!.data.resultData.runData['AI notes'][0].data!.main[0].map((item) => item.json);
	expect(notes.find((json) => json.minuteToken === MINUTE)).toMatchObject({ summary: expect.stringContaining('release plan') });
	expect(notes.find((json) => json.error)).toMatchObject({ error: expect.stringContaining('no such data for this meeting'), feishuCode: 121004 });
});
