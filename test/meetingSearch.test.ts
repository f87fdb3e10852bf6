/** Meeting → Search, through real workflows, within Feishu's contract: user only, windows, pages of 30, 150 results a search. */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, connectUser, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const id = (n: number) => `71000000000${String(n).padStart(8, '0')}`;
const SEARCH = { resource: 'meeting', operation: 'search', authentication: 'userOAuth2' };

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
});
afterEach(async () => await feishu.stop());

const searchBodies = () =>
	feishu.requestsTo('/vc/v1/meetings/search').map((request) => ({
		body: JSON.parse(request.body ?? '{}') as { query?: string; meeting_filter: { start_time: { start_time: string; end_time: string }; organizer_ids?: string[] } },
		pageSize: Number(new URL(request.path, feishu.apiUrl).searchParams.get('page_size')),
	}));

test('keyword, window and organizers are sent; each meeting comes with its ID, topic and times, newest first', async () => {
	feishu.addMeeting({ id: id(1), topic: 'Weekly sync', startTime: NOW - 3 * DAY, endTime: NOW - 3 * DAY + HOUR });
	feishu.addMeeting({ id: id(2), topic: 'Weekly sync', startTime: NOW - DAY, endTime: NOW - DAY + HOUR });
	feishu.addMeeting({ id: id(3), topic: 'Interview', startTime: NOW - 2 * DAY, endTime: NOW - 2 * DAY + HOUR });
	feishu.addMeeting({ id: id(4), topic: 'Weekly sync', startTime: NOW - 20 * DAY, endTime: NOW - 20 * DAY + HOUR });
	// joined, not owned: Feishu details it only to its owner
	feishu.addMeeting({ id: id(5), topic: 'Weekly sync (guest)', ownerId: 'ou_other_user', participantIds: ['ou_other_user', 'ou_simulated_owner'], startTime: NOW - 2 * HOUR, endTime: NOW - HOUR });

	const result = await runMinutes(store, { ...SEARCH, keyword: 'Weekly sync', organizerIds: 'ou_simulated_owner, ou_other_user' });

	expect(result.error).toBeUndefined();
	const items = result.output(NODE_NAME).map((item) => item.json);
	expect(items.map((item) => item.meetingId)).toEqual([id(2), id(1), id(5)]);
	expect(items[0]).toMatchObject({
		topic: 'Weekly sync',
		startTime: new Date(Math.floor((NOW - DAY) / 1000) * 1000).toISOString(),
		endTime: new Date(Math.floor((NOW - DAY + HOUR) / 1000) * 1000).toISOString(),
		link: expect.stringContaining('/j/'),
	});
	expect(items[2]).toMatchObject({ topic: 'Weekly sync (guest)', startTime: null, detailsError: expect.stringContaining('Permission denied') });
	const [{ body }] = searchBodies();
	expect(body.query).toBe('Weekly sync');
	expect(body.meeting_filter.organizer_ids).toEqual(['ou_simulated_owner', 'ou_other_user']);
	const window = body.meeting_filter.start_time;
	expect(Date.parse(window.end_time) - Date.parse(window.start_time)).toBeGreaterThanOrEqual(7 * DAY);
});

test('Return All past Feishu\'s 150 results a search: the window is searched in halves, nothing is left out', async () => {
	for (let n = 0; n < 200; n++) feishu.addMeeting({ id: id(100 + n), topic: `Call ${n}`, startTime: NOW - 10 * HOUR + n * 60_000, endTime: NOW - 9 * HOUR + n * 60_000 });

	const result = await runMinutes(store, { ...SEARCH, returnAll: true, addDetails: false, startedAfter: new Date(NOW - DAY).toISOString() });

	expect(result.error).toBeUndefined();
	expect(new Set(result.output(NODE_NAME).map((item) => item.json.meetingId)).size).toBe(200);
	for (const { pageSize } of searchBodies()) expect(pageSize).toBeLessThanOrEqual(30);
	expect(feishu.rateLimited).toBe(0);
});

test('a window longer than a month is searched a month at a time; Limit stops early', async () => {
	for (let day = 0; day < 60; day++) feishu.addMeeting({ id: id(500 + day), topic: `Daily ${day}`, startTime: NOW - (day + 0.5) * DAY, endTime: NOW - day * DAY });

	const all = await runMinutes(store, { ...SEARCH, returnAll: true, addDetails: false, startedAfter: new Date(NOW - 70 * DAY).toISOString() });
	expect(all.output(NODE_NAME)).toHaveLength(60);
	for (const { body } of searchBodies()) {
		const window = body.meeting_filter.start_time;
		expect(Date.parse(window.end_time) - Date.parse(window.start_time)).toBeLessThanOrEqual(28 * DAY);
	}

	const few = await runMinutes(store, { ...SEARCH, limit: 3, addDetails: false });
	expect(few.output(NODE_NAME)).toHaveLength(3);
});

test('refused before any request: an app credential, an ID that is not an open_id, a keyword over 50 characters', async () => {
	const app = await runMinutes(store, { resource: 'meeting', operation: 'search' });
	expect(app.error?.message).toBe('Meeting Search needs a user\'s credential');
	const badId = await runMinutes(store, { ...SEARCH, participantIds: 'ou_a, alice@example.com' });
	expect(badId.error?.message).toContain('"Participant IDs" field holds something that is not an open_id');
	const long = await runMinutes(store, { ...SEARCH, keyword: 'x'.repeat(51) });
	expect(long.error?.message).toContain('longer than 50 characters');
	const backwards = await runMinutes(store, { ...SEARCH, startedAfter: new Date(NOW).toISOString(), startedBefore: new Date(NOW - DAY).toISOString() });
	expect(backwards.error?.message).toContain('"Started After" is not before "Started Before"');
	expect(feishu.requestsTo('/vc/')).toHaveLength(0);
});
