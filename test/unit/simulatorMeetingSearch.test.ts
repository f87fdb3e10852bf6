/** The simulated meeting search and meetings-by-number endpoints over HTTP, rule by rule. */
import type { FeishuSimulator, Rule, SimulatedMeeting } from '../simulator/FeishuSimulator';
import { type Answer, meetingId as id, refusal, request, startWithTokens } from './simulatorClient';

const NOW = Date.now();
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const OTHER = 'ou_other_user';

let feishu: FeishuSimulator;
let app: string;
let user: string;

async function start(relax: Rule[] = []): Promise<void> {
	await feishu?.stop();
	({ feishu, app, user } = await startWithTokens(relax));
}
afterEach(async () => await feishu.stop());

const ended = (meeting: SimulatedMeeting): SimulatedMeeting => ({ ...meeting, endTime: (meeting.startTime ?? NOW) + HOUR / 2 });
const search = (body: unknown, params = '', token = user) => request(feishu, 'POST', `/open-apis/vc/v1/meetings/search${params}`, token, body);
const ids = (answer: Answer) => (answer.json.data.items as Array<{ id: string }>).map((item) => item.id);

/** Every page of a search, following page_token. */
async function allPages(body: unknown, pageSize: number): Promise<{ ids: string[]; pages: Answer[] }> {
	const pages: Answer[] = [];
	let token: string | undefined;
	do {
		const page = await search(body, `?page_size=${pageSize}${token ? `&page_token=${token}` : ''}`);
		expect(page.status).toBe(200);
		pages.push(page);
		token = page.json.data.has_more ? (page.json.data.page_token as string) : undefined;
	} while (token);
	return { ids: pages.flatMap(ids), pages };
}

describe('POST /open-apis/vc/v1/meetings/search', () => {
	beforeEach(async () => {
		await start();
		feishu.addMeeting(ended({ id: id(1), topic: 'Weekly sync', startTime: NOW - 2 * DAY, participantIds: ['ou_simulated_owner', 'ou_a'] }));
		feishu.addMeeting(ended({ id: id(2), topic: 'weekly SYNC with Ops', startTime: NOW - 3 * DAY, ownerId: OTHER, participantIds: [OTHER, 'ou_simulated_owner'] }));
		feishu.addMeeting(ended({ id: id(3), topic: 'Weekly sync', startTime: NOW - DAY, ownerId: OTHER }));
		feishu.addMeeting({ id: id(4), topic: 'Weekly sync', startTime: NOW - 60_000 });
		feishu.addMeeting(ended({ id: id(5), topic: 'Design review', startTime: NOW - DAY }));
	});

	test('ended meetings the user organized or took part in, matching the query, newest first, matches highlighted', async () => {
		const answer = await search({ query: 'weekly sync' });
		expect(answer.status).toBe(200);
		expect(answer.json.data).toMatchObject({ total: 2, has_more: false });
		expect(answer.json.data.page_token).toBeUndefined();
		expect(answer.json.data.items).toEqual([
			{ id: id(1), display_info: '<h>Weekly sync</h>', meta_data: { app_link: `https://vc.feishu.cn/j/${id(1).slice(-9)}`, description: expect.stringMatching(/ \| 2 participants$/), avatar: '' } },
			{ id: id(2), display_info: '<h>weekly SYNC</h> with Ops', meta_data: expect.any(Object) },
		]);
		const other = feishu.issueUserTokens('vc:meeting.search:read', OTHER).access_token;
		expect(ids(await search({ query: 'weekly' }, '', other))).toEqual([id(3), id(2)]);
	});

	test('the description is a human line in China time: date, start - end, participants', async () => {
		feishu.addMeeting({ id: id(6), topic: 'Retro', startTime: Date.UTC(2024, 10, 24, 1), endTime: Date.UTC(2024, 10, 24, 1, 30), participantIds: ['ou_simulated_owner', 'ou_a', 'ou_b'] });
		const answer = await search({ query: 'Retro' });
		expect(answer.json.data.items[0].meta_data.description).toBe('2024-11-24 09:00 - 09:30 | 3 participants');
	});

	test('filters: start-time window, organizers, participants; rooms match nothing here', async () => {
		const window = (from: number, to: number) => ({ start_time: new Date(from).toISOString(), end_time: new Date(to).toISOString() });
		expect(ids(await search({ meeting_filter: { start_time: window(NOW - 2.5 * DAY, NOW) } }))).toEqual([id(5), id(1)]);
		expect(ids(await search({ meeting_filter: { organizer_ids: [OTHER] } }))).toEqual([id(2)]);
		expect(ids(await search({ query: 'sync', meeting_filter: { participant_ids: ['ou_a'] } }))).toEqual([id(1)]);
		expect(ids(await search({ meeting_filter: { open_room_ids: ['omm_room'] } }))).toEqual([]);
	});

	test('user tokens only: a tenant token is 99991663', async () => {
		expect(refusal(await search({ query: 'sync' }, '', app))).toEqual([400, 99991663]);
	});

	test('malformed requests are 121003: page_size, page_token, query length, time zones, ID lists, JSON', async () => {
		for (const params of ['?page_size=0', '?page_size=31', '?page_size=x', '?page_token=bogus']) {
			expect({ params, answer: refusal(await search({ query: 'sync' }, params)) }).toEqual({ params, answer: [400, 121003] });
		}
		expect(refusal(await search({ query: 'x'.repeat(51) }))).toEqual([400, 121003]);
		expect((await search({ query: '周'.repeat(50) })).status).toBe(200);
		expect(refusal(await search({ query: '' }))).toEqual([400, 121003]);
		expect(refusal(await search({ meeting_filter: { start_time: { start_time: '2026-03-10T00:00:00' } } }))).toEqual([400, 121003]);
		expect(refusal(await search({ meeting_filter: { start_time: { start_time: String(Math.floor(NOW / 1000)) } } }))).toEqual([400, 121003]);
		expect(refusal(await search({ meeting_filter: { participant_ids: Array.from({ length: 129 }, (_, n) => `ou_${n}`) } }))).toEqual([400, 121003]);
		expect((await search({ meeting_filter: { participant_ids: Array.from({ length: 128 }, (_, n) => `ou_${n}`) } })).status).toBe(200);
		expect(refusal(await request(feishu, 'POST', '/open-apis/vc/v1/meetings/search', user, 'not json'))).toEqual([400, 121003]);
	});

	test('meetingSearchFilter: a query or a filter is required, and a window of at most 31 days', async () => {
		const since = (ms: number) => ({ meeting_filter: { start_time: { start_time: new Date(NOW - ms).toISOString() } } });
		expect(refusal(await search({}))).toEqual([400, 121003]);
		expect(refusal(await search({ meeting_filter: { organizer_ids: [] } }))).toEqual([400, 121003]);
		expect(refusal(await search(since(32 * DAY)))).toEqual([400, 121003]);
		expect(refusal(await search({ meeting_filter: { start_time: { end_time: new Date(NOW).toISOString() } } }))).toEqual([400, 121003]);
		expect((await search(since(30 * DAY))).status).toBe(200);
		await start(['meetingSearchFilter']);
		expect((await search({})).status).toBe(200);
		expect((await search(since(60 * DAY))).status).toBe(200);
	});

	test('pages: default 15, page_token continues the same query only', async () => {
		for (let n = 10; n < 50; n++) feishu.addMeeting(ended({ id: id(n), topic: `Standup ${n}`, startTime: NOW - n * HOUR }));
		const first = await search({ query: 'Standup' });
		expect(ids(first)).toHaveLength(15);
		expect(first.json.data).toMatchObject({ total: 40, has_more: true, page_token: expect.any(String) });
		const token = first.json.data.page_token as string;
		expect(refusal(await search({ query: 'Stand' }, `?page_token=${token}`))).toEqual([400, 121003]);
		const { ids: all } = await allPages({ query: 'Standup' }, 30);
		expect(all).toEqual(Array.from({ length: 40 }, (_, n) => id(n + 10)));
	});

	test('meetingSearchCap: at most 150 results for one query, however many match', async () => {
		for (let n = 100; n < 260; n++) feishu.addMeeting(ended({ id: id(n), topic: 'All hands', startTime: NOW - n * HOUR }));
		const { ids: reached, pages } = await allPages({ query: 'All hands' }, 30);
		expect(reached).toHaveLength(150);
		expect(pages.at(-1)!.json.data).toMatchObject({ total: 160, has_more: false });
		await start(['meetingSearchCap']);
		for (let n = 100; n < 260; n++) feishu.addMeeting(ended({ id: id(n), topic: 'All hands', startTime: NOW - n * HOUR }));
		expect((await allPages({ query: 'All hands' }, 30)).ids).toHaveLength(160);
	});
});

describe('GET /open-apis/vc/v1/meetings/list_by_no', () => {
	const NUMBER = '123456789';
	const seconds = (ms: number) => Math.floor(ms / 1000);
	const list = (params: Record<string, string | number>, token = app) =>
		request(feishu, 'GET', `/open-apis/vc/v1/meetings/list_by_no?${new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]))}`, token);
	const window = { meeting_no: NUMBER, start_time: seconds(NOW - 14 * DAY), end_time: seconds(NOW) };
	const briefs = (answer: Answer) => (answer.json.data.meeting_briefs as Array<{ id: string }>).map((brief) => brief.id);

	beforeEach(async () => {
		await start();
		// a weekly meeting with one number: eight occurrences, the two newest the other user's
		for (let week = 0; week < 8; week++) {
			feishu.addMeeting(ended({ id: id(week), number: NUMBER, topic: 'Weekly', startTime: NOW - (week + 0.5) * 7 * DAY, ...(week < 2 ? { ownerId: OTHER } : {}) }));
		}
		feishu.addMeeting(ended({ id: id(20), topic: 'Another number', startTime: NOW - DAY }));
	});

	test('meetings with the number that started within the window, in an order that is not by time', async () => {
		const answer = await list(window);
		expect(answer.status).toBe(200);
		expect(new Set(briefs(answer))).toEqual(new Set([id(0), id(1)]));
		const wide = await list({ ...window, start_time: seconds(NOW - 60 * DAY) });
		const found = briefs(wide);
		expect([...found].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(id));
		expect(found).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(id));
		expect(found).not.toEqual([7, 6, 5, 4, 3, 2, 1, 0].map(id));
		expect(wide.json.data.meeting_briefs[0]).toEqual({ id: found[0], topic: 'Weekly', url: `https://vc.feishu.cn/j/${NUMBER}`, meeting_no: NUMBER });
		expect(wide.json.data.has_more).toBe(false);
	});

	test('the app sees every meeting with the number, a user those they took part in', async () => {
		const wide = { ...window, start_time: seconds(NOW - 60 * DAY) };
		expect(briefs(await list(wide))).toHaveLength(8);
		expect(new Set(briefs(await list(wide, user)))).toEqual(new Set([2, 3, 4, 5, 6, 7].map(id)));
	});

	test('pages: page_size up to 50 (default 20), page_token continues', async () => {
		const wide = { ...window, start_time: seconds(NOW - 60 * DAY) };
		for (let hour = 1; hour <= 17; hour++) feishu.addMeeting(ended({ id: id(100 + hour), number: NUMBER, startTime: NOW - hour * HOUR }));
		expect(briefs(await list(wide))).toHaveLength(20);
		expect(briefs(await list({ ...wide, page_size: 50 }))).toHaveLength(25);
		const seen: string[] = [];
		let page = await list({ ...wide, page_size: 10 });
		seen.push(...briefs(page));
		while (page.json.data.has_more) {
			page = await list({ ...wide, page_size: 10, page_token: page.json.data.page_token as string });
			seen.push(...briefs(page));
		}
		expect(seen).toHaveLength(25);
		expect(new Set(seen).size).toBe(25);
	});

	test('malformed requests are 121003: number, times, window, 90 days, page_size, page_token', async () => {
		const { meeting_no, start_time, end_time } = window;
		const cases: Array<Record<string, string | number>> = [
			{ ...window, meeting_no: '12345678' },
			{ meeting_no, end_time },
			{ meeting_no, start_time },
			{ ...window, start_time: '2026-03-10T00:00:00Z' },
			{ meeting_no, start_time: end_time, end_time: start_time },
			{ ...window, start_time: seconds(NOW - 91 * DAY) },
			{ ...window, page_size: 51 },
			{ ...window, page_size: 0 },
			{ ...window, page_token: 'bogus' },
		];
		for (const params of cases) expect({ params, answer: refusal(await list(params)) }).toEqual({ params, answer: [400, 121003] });
	});
});
