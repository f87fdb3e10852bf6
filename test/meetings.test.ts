/**
 * From a meeting to its minute, through real workflows: Get Recording by ID, number, link or calendar event,
 * the Minute field's By Meeting mode, and who may read which recording.
 */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, connectUser, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

const HOUR = 3600 * 1000;
const NOW = Date.now();
/** Recorded, owned by the connected user; its minute is READY_TOKEN. */
const WEEKLY = '7100000000000000101';
/** Same number as WEEKLY, a week later (a larger ID), not recorded. */
const WEEKLY_NEXT = '7100000000000000202';
/** Someone else's recorded meeting. */
const OTHERS = '7100000000000000303';
const NOT_RECORDED = '7100000000000000404';
const GENERATING = '7100000000000000505';
const GENERATING_MINUTE = 'obcngenerating0000000505';
const NUMBER = '337736498';
const EVENT = '75d28f9b-e35c-4230-8a83-4a661497db54_0';

const APP = { resource: 'meeting', operation: 'getRecording' };
const USER = { ...APP, authentication: 'userOAuth2' };
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const V2 = { typeVersion: 2 };

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	feishu.addMinute({ token: GENERATING_MINUTE, title: 'Retro' });
	feishu.addMeeting({ id: WEEKLY, number: NUMBER, topic: 'Weekly sync', startTime: NOW - 8 * 24 * HOUR, endTime: NOW - 8 * 24 * HOUR + HOUR, recording: { minuteToken: READY_TOKEN }, calendarEventId: EVENT });
	feishu.addMeeting({ id: WEEKLY_NEXT, number: NUMBER, topic: 'Weekly sync', startTime: NOW - 24 * HOUR, endTime: NOW - 23 * HOUR });
	feishu.addMeeting({ id: OTHERS, topic: 'Board', ownerId: 'ou_other_user', startTime: NOW - 5 * HOUR, endTime: NOW - 4 * HOUR, recording: { minuteToken: READY_TOKEN } });
	feishu.addMeeting({ id: NOT_RECORDED, topic: 'Stand-up', startTime: NOW - 3 * HOUR, endTime: NOW - 2 * HOUR });
	feishu.addMeeting({ id: GENERATING, topic: 'Retro', startTime: NOW - 2 * HOUR, endTime: NOW - HOUR, recording: { minuteToken: GENERATING_MINUTE, readyAfterPolls: 2 } });
});
afterEach(async () => await feishu.stop());

test('Get Recording: a meeting ID gives the recording URL, its duration and the minute token', async () => {
	const result = await runMinutes(store, { ...APP, meeting: byId(WEEKLY) }, V2);

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json).toEqual({
		meetingId: WEEKLY,
		minuteToken: READY_TOKEN,
		url: `https://meetings.feishu.cn/minutes/${READY_TOKEN}`,
		duration: 1800000,
	});
	expect(feishu.requestsTo('/vc/v1/meetings').map((request) => request.path)).toEqual([`/open-apis/vc/v1/meetings/${WEEKLY}/recording`]);
});

test('a meeting link or number: the newest meeting that used it and has a recording', async () => {
	for (const meeting of [{ __rl: true, mode: 'url', value: `https://vc.feishu.cn/j/${NUMBER}` }, byId('337 736 498')]) {
		const result = await runMinutes(store, { ...APP, meeting }, V2);
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ meetingId: WEEKLY, minuteToken: READY_TOKEN });
	}
	// the newer meeting with the number was tried first, and has no recording
	expect(feishu.requestsTo('/recording').map((request) => request.path.split('/')[5])).toEqual([WEEKLY_NEXT, WEEKLY, WEEKLY_NEXT, WEEKLY]);
	const lookup = new URL(feishu.requestsTo('/list_by_no')[0].path, feishu.apiUrl).searchParams;
	expect(lookup.get('meeting_no')).toBe(NUMBER);
	expect(Number(lookup.get('end_time')) - Number(lookup.get('start_time'))).toBeLessThanOrEqual(90 * 24 * 3600);
});

test('a calendar event of the connected user leads to its meeting\'s minute; with the app credential it is refused before any request', async () => {
	const calendarEvent = { __rl: true, mode: 'calendarEvent', value: EVENT };
	const result = await runMinutes(store, { ...USER, meeting: calendarEvent }, V2);
	expect(result.error).toBeUndefined();
	// the meeting ID arrives as a JSON number beyond 2^53: every digit kept
	expect(result.output(NODE_NAME)[0].json).toMatchObject({ meetingId: WEEKLY, minuteToken: READY_TOKEN });

	const before = feishu.requests.length;
	const app = await runMinutes(store, { ...APP, meeting: calendarEvent }, V2);
	expect(app.error?.message).toContain('needs a user\'s credential');
	expect(feishu.requests.slice(before).filter((request) => request.path.startsWith('/open-apis/calendar'))).toHaveLength(0);
});

test('a user reads only recordings of meetings they own; the app reads the tenant\'s; Continue On Fail keeps the others', async () => {
	const meeting = '={{ $json.meeting }}';
	const items = [{ json: { meeting: WEEKLY } }, { json: { meeting: OTHERS } }];
	const user = await runMinutes(store, { ...USER, meeting: { __rl: true, mode: 'id', value: meeting } }, { ...V2, items, continueOnFail: true });
	const [mine, others] = user.output(NODE_NAME).map((item) => item.json);
	expect(mine).toMatchObject({ meetingId: WEEKLY, minuteToken: READY_TOKEN });
	expect(others).toMatchObject({ error: expect.stringContaining('Permission denied for this meeting'), feishuCode: 121005 });
	expect(String(others.description)).toContain('Feishu API (app) credential');

	const app = await runMinutes(store, { ...APP, meeting: { __rl: true, mode: 'id', value: meeting } }, { ...V2, items });
	expect(app.output(NODE_NAME).map((item) => item.json.meetingId)).toEqual([WEEKLY, OTHERS]);
});

test('not recorded: a clear item error; still being generated: Wait Until Ready polls it until it is there', async () => {
	const none = await runMinutes(store, { ...APP, meeting: byId(NOT_RECORDED) }, V2);
	expect(none.error?.message).toContain('Feishu has no such data for this meeting');

	const notYet = await runMinutes(store, { ...APP, meeting: byId(GENERATING) }, V2);
	expect(notYet.error?.message).toContain('recording is not ready yet');

	const waited = await runMinutes(store, { ...APP, meeting: byId(GENERATING), options: { waitUntilReady: true, pollIntervalSeconds: 0.1 } }, V2);
	expect(waited.error).toBeUndefined();
	expect(waited.output(NODE_NAME)[0].json).toMatchObject({ meetingId: GENERATING, minuteToken: GENERATING_MINUTE });
});

test('the Minute field By Meeting: Get AI Notes from a meeting ID in one node', async () => {
	const result = await runMinutes(store, { operation: 'getAiNotes', minute: { __rl: true, mode: 'meeting', value: `https://vc.feishu.cn/j/${NUMBER}` } }, V2);

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json).toMatchObject({ minuteToken: READY_TOKEN, summary: expect.stringContaining('release plan') });
	expect(feishu.requestsTo('/artifacts')).toHaveLength(1);
});

test('bad input in the Meeting field is refused before any request', async () => {
	await expect(runMinutes(store, { ...APP, meeting: { __rl: true, mode: 'url', value: 'https://vc.feishu.cn/k/1' } }, V2)).rejects.toThrow('Not a meeting link');
	const viaExpression = await runMinutes(store, { ...APP, meeting: byId('={{ "call me maybe" }}') }, V2);
	expect(viaExpression.error?.message).toContain('neither a meeting ID');
	const minuteField = await runMinutes(store, { operation: 'getTranscript', minute: { __rl: true, mode: 'meeting', value: '={{ "12" }}' } }, V2);
	expect(minuteField.error?.message).toContain('The Minute field is neither a meeting ID');
	expect(feishu.requests).toHaveLength(0);
});

test('an app without vc:record:readonly gets the console fix', async () => {
	feishu.setAppScopes(['minutes:minutes:readonly', 'minutes:minutes.artifacts:read']);
	const result = await runMinutes(store, { ...APP, meeting: byId(WEEKLY) }, V2);

	expect(result.error?.message).toContain('The app lacks a required permission scope');
	expect(result.error?.description).toContain('add the scope for Get Recording: vc:record:readonly');
});

test('a number reused by many meetings without recordings: at most 10 are tried, and the error names them', async () => {
	const reused = '555666777';
	for (let n = 0; n < 12; n++) feishu.addMeeting({ id: `71000000000000010${String(n).padStart(2, '0')}`, number: reused, startTime: NOW - (n + 1) * HOUR, endTime: NOW - n * HOUR });
	const result = await runMinutes(store, { ...APP, meeting: byId(reused) }, V2);

	expect(result.error?.message).toBe('None of the 10 meetings found for meeting number 555666777 has a recording this credential can read');
	expect(feishu.requestsTo('/recording')).toHaveLength(10);
});
