/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The simulated VC and calendar endpoints over HTTP, rule by rule, as Feishu answers them: what the
 * Meeting operations and the meeting trigger will be tested against.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ALL_SCOPES } from '../simulator/contract';
import { type FeishuSimulator, MEETING_ENDED_EVENT, type Rule, type SimulatedMeeting, meetingEndedEvent, pushEvent } from '../simulator/FeishuSimulator';
import { meetingId as id, refusal, request, startWithTokens } from './simulatorClient';

const NOW = Date.now();
const DAY = 24 * 3600 * 1000;
const OTHER = 'ou_other_user';
const minuteToken = (n: number) => `obcn${String(n).padStart(20, '0')}`;

let feishu: FeishuSimulator;
let app: string;
let user: string;

async function start(relax: Rule[] = []): Promise<void> {
	await feishu?.stop();
	({ feishu, app, user } = await startWithTokens(relax));
}
afterEach(async () => await feishu.stop());

const call = (method: string, path: string, token: string, body?: unknown) => request(feishu, method, path, token, body);
const recording = (token: string, meetingId: string) => call('GET', `/open-apis/vc/v1/meetings/${meetingId}/recording`, token);
const detail = (token: string, meetingId: string) => call('GET', `/open-apis/vc/v1/meetings/${meetingId}`, token);

/** Ended two days ago, recorded, three participants. */
const weekly: SimulatedMeeting = {
	id: id(1),
	topic: 'Weekly sync',
	startTime: NOW - 2 * DAY,
	endTime: NOW - 2 * DAY + 30 * 60_000,
	participantIds: ['ou_simulated_owner', 'ou_a', 'ou_b'],
	recording: { minuteToken: minuteToken(1), durationMs: 1_234_000 },
	calendarEventId: 'evt_weekly_0',
};

describe('recording and meeting details', () => {
	beforeEach(async () => {
		await start();
		feishu.addMeeting({ ...weekly });
	});

	test('a recorded, ended meeting answers its recording URL (with the minute token) and duration', async () => {
		const answer = await recording(app, id(1));
		expect(answer.status).toBe(200);
		expect(answer.json.data.recording).toEqual({ id: expect.any(String), meeting_id: id(1), url: `https://meetings.feishu.cn/minutes/${minuteToken(1)}`, duration: '1234000' });
		expect(feishu.stats().recordingRequests).toBe(1);
	});

	test('a malformed ID is 121003, an unknown one 122002, each with its HTTP status', async () => {
		expect(refusal(await recording(app, '12345'))).toEqual([400, 121003]);
		expect(refusal(await recording(app, 'abc'))).toEqual([400, 121003]);
		expect(refusal(await recording(app, id(9)))).toEqual([404, 122002]);
		expect(refusal(await detail(app, id(9)))).toEqual([404, 122002]);
	});

	test('a running meeting and a meeting without recording are 121004; a generating recording is 124002 until ready', async () => {
		feishu.addMeeting({ id: id(2), startTime: NOW - 60_000, recording: { minuteToken: minuteToken(2) } });
		feishu.addMeeting({ id: id(3), startTime: NOW - DAY, endTime: NOW - DAY + 60_000 });
		feishu.addMeeting({ id: id(4), startTime: NOW - DAY, endTime: NOW - 1000, recording: { minuteToken: minuteToken(4), readyAfterPolls: 2 } });
		expect(refusal(await recording(app, id(2)))).toEqual([404, 121004]);
		expect(refusal(await recording(app, id(3)))).toEqual([404, 121004]);
		expect(refusal(await recording(app, id(4)))).toEqual([400, 124002]);
		expect(refusal(await recording(app, id(4)))).toEqual([400, 124002]);
		const ready = await recording(app, id(4));
		expect(ready.json.data.recording).toMatchObject({ duration: '1800000', url: expect.stringContaining(minuteToken(4)) });
	});

	test('a user token reaches only meetings its user owns (121005); the app reaches all', async () => {
		const other = feishu.issueUserTokens(ALL_SCOPES.join(' '), OTHER).access_token;
		expect(refusal(await recording(other, id(1)))).toEqual([403, 121005]);
		expect(refusal(await detail(other, id(1)))).toEqual([403, 121005]);
		expect((await recording(user, id(1))).status).toBe(200);
		feishu.addMeeting({ ...weekly, id: id(5), ownerId: OTHER });
		expect(refusal(await recording(user, id(5)))).toEqual([403, 121005]);
		expect((await recording(other, id(5))).status).toBe(200);
		expect((await recording(app, id(5))).status).toBe(200);
	});

	test('relaxing meetingOwnerOnly lets any user read any meeting', async () => {
		await start(['meetingOwnerOnly']);
		feishu.addMeeting({ ...weekly });
		const other = feishu.issueUserTokens(ALL_SCOPES.join(' '), OTHER).access_token;
		expect((await recording(other, id(1))).status).toBe(200);
	});

	test('details: times in unix seconds, host, participants, status; running meetings have no end; 90 days back only', async () => {
		const answer = await detail(user, id(1));
		expect(answer.json.data.meeting).toEqual({
			id: id(1),
			topic: 'Weekly sync',
			url: `https://vc.feishu.cn/j/${id(1).slice(-9)}`,
			meeting_no: id(1).slice(-9),
			start_time: String(Math.floor(weekly.startTime! / 1000)),
			end_time: String(Math.floor(weekly.endTime! / 1000)),
			host_user: { id: 'ou_simulated_owner', user_type: 1 },
			participant_count: '3',
			status: 3,
		});
		feishu.addMeeting({ id: id(2), startTime: NOW - 60_000 });
		expect((await detail(user, id(2))).json.data.meeting).toMatchObject({ status: 2, end_time: '0' });
		feishu.addMeeting({ id: id(3), startTime: NOW - 91 * DAY, endTime: NOW - 91 * DAY + 60_000 });
		expect(refusal(await detail(app, id(3)))).toEqual([404, 121004]);
	});

	test('each endpoint wants one of its scopes: 99991672 for the app, 99991679 for a user, naming the scopes', async () => {
		feishu.setAppScopes(ALL_SCOPES.filter((scope) => scope !== 'vc:record:readonly'));
		const answer = await recording(app, id(1));
		expect(refusal(answer)).toEqual([400, 99991672]);
		expect(answer.json.msg).toContain('vc:record:readonly');
		feishu.setAppScopes(ALL_SCOPES);
		const bare = feishu.issueUserTokens('offline_access').access_token;
		const calls = [
			recording(bare, id(1)),
			detail(bare, id(1)),
			call('POST', '/open-apis/vc/v1/meetings/search', bare, { query: 'sync' }),
			call('GET', '/open-apis/vc/v1/meetings/list_by_no?meeting_no=000000001&start_time=1&end_time=2', bare),
			call('POST', '/open-apis/calendar/v4/calendars/primary', bare),
			call('POST', '/open-apis/calendar/v4/calendars/x/events/mget_instance_relation_info', bare, { instance_ids: ['a'] }),
		];
		const answers = await Promise.all(calls);
		expect(answers.map((one) => one.json.code)).toEqual(Array(6).fill(99991679));
		expect(answers[1].json.msg).toContain('vc:meeting:readonly, vc:meeting.meetingevent:read');
		expect(answers[5].json.msg).toContain('calendar:calendar.event:read');
	});

	test('the control route adds a meeting from another process', async () => {
		const response = await fetch(`${feishu.apiUrl}/__simulator/meetings`, { method: 'POST', body: JSON.stringify({ id: id(7), endTime: NOW - 1000, recording: { minuteToken: minuteToken(7) } }) });
		expect(response.status).toBe(200);
		expect((await recording(app, id(7))).status).toBe(200);
	});
});

describe('rate budgets per app and endpoint', () => {
	beforeEach(async () => {
		await start();
		feishu.addMeeting({ ...weekly });
	});
	afterEach(() => jest.useRealTimers());

	test('recording: 50 per second, then 429 99991400 with x-ogw-ratelimit-reset; other endpoints keep their own budget', async () => {
		const answers = await Promise.all(Array.from({ length: 51 }, () => recording(app, id(1))));
		const refused = answers.filter((answer) => answer.status === 429);
		expect(refused).toHaveLength(1);
		expect(refused[0].json.code).toBe(99991400);
		expect(refused[0].headers.get('x-ogw-ratelimit-reset')).toBe('1');
		expect((await detail(app, id(1))).status).toBe(200);
	});

	test('recording: also 1000 per minute, whatever the pace per second', async () => {
		// only Date is faked: the simulator's windows follow it, sockets keep their real timers
		jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
		const start = Date.now();
		for (let second = 0; second < 20; second++) {
			jest.setSystemTime(start + second * 1001);
			const answers = await Promise.all(Array.from({ length: 50 }, () => recording(app, id(1))));
			expect(answers.every((answer) => answer.status === 200)).toBe(true);
		}
		jest.setSystemTime(start + 20 * 1001);
		const refused = await recording(app, id(1));
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThan(30);
		jest.setSystemTime(start + 60_001);
		expect((await recording(app, id(1))).status).toBe(200);
	});

	test('meeting search, list by number and the calendar calls: 100 per minute each', async () => {
		const paths: Array<[string, string]> = [
			['POST', '/open-apis/vc/v1/meetings/search'],
			['GET', '/open-apis/vc/v1/meetings/list_by_no'],
			['POST', '/open-apis/calendar/v4/calendars/primary'],
			['POST', '/open-apis/calendar/v4/calendars/x/events/mget_instance_relation_info'],
		];
		for (const [method, path] of paths) {
			const answers = await Promise.all(Array.from({ length: 101 }, () => call(method, path, user, method === 'POST' ? {} : undefined)));
			expect({ path, refused: answers.filter((answer) => answer.status === 429).length }).toEqual({ path, refused: 1 });
		}
		expect(feishu.rateLimited).toBe(4);
	});

	test('relaxing rateLimits lifts the VC budgets', async () => {
		await start(['rateLimits']);
		feishu.addMeeting({ ...weekly });
		const answers = await Promise.all(Array.from({ length: 60 }, () => recording(app, id(1))));
		expect(answers.every((answer) => answer.status === 200)).toBe(true);
	});
});

describe('calendar event → meeting IDs', () => {
	const calendarId = 'ou_simulated_owner@simulated.calendar.feishu.cn';
	const relations = (token: string, body: unknown, calendar = calendarId) =>
		call('POST', `/open-apis/calendar/v4/calendars/${encodeURIComponent(calendar)}/events/mget_instance_relation_info`, token, body);
	beforeEach(async () => {
		await start();
		feishu.addMeeting({ ...weekly });
		feishu.addMeeting({ ...weekly, id: '7100000000000000003' });
	});

	test('the primary calendar is the user\'s own; tenant tokens are refused (99991663)', async () => {
		const answer = await call('POST', '/open-apis/calendar/v4/calendars/primary', user);
		expect(answer.json.data).toEqual({ calendars: [{ calendar: { calendar_id: calendarId, summary: 'Primary', type: 'primary', role: 'owner' }, user_id: 'ou_simulated_owner' }] });
		const other = feishu.issueUserTokens(ALL_SCOPES.join(' '), OTHER).access_token;
		expect((await call('POST', '/open-apis/calendar/v4/calendars/primary', other)).json.data.calendars[0].calendar.calendar_id).toBe(`${OTHER}@simulated.calendar.feishu.cn`);
		expect(refusal(await call('POST', '/open-apis/calendar/v4/calendars/primary', app))).toEqual([400, 99991663]);
		expect(refusal(await relations(app, { instance_ids: ['evt_weekly_0'] }))).toEqual([400, 99991663]);
	});

	test('meeting IDs arrive as bare JSON numbers beyond 2^53; an unknown event has none', async () => {
		const answer = await relations(user, { instance_ids: ['evt_weekly_0', 'evt_unknown'], need_meeting_instance_ids: true });
		expect(answer.status).toBe(200);
		expect(answer.text).toContain(`{"instance_id":"evt_weekly_0","meeting_instance_ids":[${id(1)},7100000000000000003]}`);
		expect(answer.text).toContain('{"instance_id":"evt_unknown","meeting_instance_ids":[]}');
		// what a client that parses the body as JSON gets: the last digits are gone
		const parsed = answer.json.data.instance_relation_infos[0].meeting_instance_ids as number[];
		expect(parsed.map(String)).not.toContain('7100000000000000003');
	});

	test('another calendar is 191001; instance_ids must hold 1 to 50 IDs (99992402)', async () => {
		expect(refusal(await relations(user, { instance_ids: ['evt_weekly_0'] }, `${OTHER}@simulated.calendar.feishu.cn`))).toEqual([400, 191001]);
		expect(refusal(await relations(user, { instance_ids: [] }))).toEqual([400, 99992402]);
		expect(refusal(await relations(user, { instance_ids: Array.from({ length: 51 }, (_, n) => `evt_${n}`) }))).toEqual([400, 99992402]);
		expect((await relations(user, { instance_ids: Array.from({ length: 50 }, (_, n) => `evt_${n}`), need_meeting_instance_ids: true })).status).toBe(200);
	});
});

describe('the meeting-ended event', () => {
	test('pushEvent sends vc.meeting.all_meeting_ended_v1 built from a meeting; the default event is unchanged', async () => {
		type Posted = { header: { event_type: string }; event: Record<string, unknown> };
		const received: Posted[] = [];
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				received.push(JSON.parse(body) as Posted);
				res.end('{}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
		try {
			await pushEvent(url, { eventType: MEETING_ENDED_EVENT, event: meetingEndedEvent({ ...weekly, organizerId: 'ou_a' }) });
			await pushEvent(url, { minuteToken: minuteToken(1) });
		} finally {
			server.close();
		}
		expect(received[0].header.event_type).toBe('vc.meeting.all_meeting_ended_v1');
		expect(received[0].event).toEqual({
			meeting: {
				id: id(1),
				topic: 'Weekly sync',
				meeting_no: id(1).slice(-9),
				meeting_source: 1,
				start_time: String(Math.floor(weekly.startTime! / 1000)),
				end_time: String(Math.floor(weekly.endTime! / 1000)),
				host_user: { id: { open_id: 'ou_a', union_id: 'on_a', user_id: 'a' }, user_role: 1, user_type: 1 },
				owner: { id: { open_id: 'ou_simulated_owner', union_id: 'on_simulated_owner', user_id: 'simulated_owner' }, user_role: 1, user_type: 1 },
				calendar_event_id: 'evt_weekly_0',
			},
			operator: { id: { open_id: 'ou_a', union_id: 'on_a', user_id: 'a' }, user_role: 1, user_type: 1 },
		});
		expect(received[1].header.event_type).toBe('minutes.minute.generated_v1');
		expect(received[1].event.minute_token).toBe(minuteToken(1));
	});
});
