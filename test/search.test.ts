import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, REQUESTED_SCOPE, connectUser, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

const DAY = 24 * 3600 * 1000;
const NOW = Date.now();
const token = (day: number) => `s${String(day).padStart(23, '0')}`;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	// 40 minutes, one a day over the last 40 days; every third is a weekly sync
	for (let day = 0; day < 40; day++) {
		feishu.addMinute({ token: token(day), title: day % 3 === 0 ? `Weekly sync ${day}` : `Interview ${day}`, createTime: NOW - (day + 0.5) * DAY });
	}
});
afterEach(async () => await feishu.stop());

const USER = { authentication: 'userOAuth2', operation: 'search' };
const searchBodies = () =>
	feishu.requestsTo('/search').map((request) => ({
		...(JSON.parse(request.body ?? '{}') as { query?: string; sorter?: string; filter: { create_time: { start_time: string; end_time: string } } }),
		pageSize: Number(new URL(request.path, feishu.apiUrl).searchParams.get('page_size')),
	}));

test('Return All pages through every match, newest first, in pages of at most 30 and windows of at most a month', async () => {
	const result = await runMinutes(store, { ...USER, returnAll: true, createdAfter: new Date(NOW - 45 * DAY).toISOString() });

	expect(result.error).toBeUndefined();
	const tokens = result.output(NODE_NAME).map((item) => item.json.minuteToken);
	expect(tokens).toEqual(Array.from({ length: 40 }, (_, day) => token(day)));
	expect(result.output(NODE_NAME).every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	for (const body of searchBodies()) {
		expect(body.pageSize).toBeLessThanOrEqual(30);
		expect(body.sorter).toBe('create_time_desc');
		const { start_time, end_time } = body.filter.create_time;
		expect(start_time).toMatch(/Z$/);
		expect(Date.parse(end_time) - Date.parse(start_time)).toBeLessThanOrEqual(28 * DAY);
	}
	expect(feishu.rateLimited).toBe(0);
});

test('keyword, create-time window and Limit narrow the results (newest first)', async () => {
	const result = await runMinutes(store, {
		...USER,
		keyword: 'Weekly sync',
		createdAfter: new Date(NOW - 30 * DAY).toISOString(),
		createdBefore: new Date(NOW - 10 * DAY).toISOString(),
		limit: 4,
	});

	const items = result.output(NODE_NAME);
	expect(items.map((item) => item.json.display_info)).toEqual(['Weekly sync 12', 'Weekly sync 15', 'Weekly sync 18', 'Weekly sync 21']);
	expect(items[0].json).toMatchObject({ minuteToken: token(12), meta_data: { app_link: expect.stringContaining('/minutes/') } });
	const [body] = searchBodies();
	expect(body).toMatchObject({ query: 'Weekly sync', pageSize: 4 });
});

test('with no dates, the window is the last 30 days, sent with both ends (never an open search)', async () => {
	const result = await runMinutes(store, { ...USER, returnAll: true });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME).map((item) => item.json.minuteToken)).toEqual(Array.from({ length: 30 }, (_, day) => token(day)));
	const windows = searchBodies().map((body) => body.filter.create_time);
	const earliest = Math.min(...windows.map((window) => Date.parse(window.start_time)));
	const latest = Math.max(...windows.map((window) => Date.parse(window.end_time)));
	expect(latest - earliest).toBeGreaterThanOrEqual(30 * DAY - 1000);
	expect(latest - earliest).toBeLessThanOrEqual(30 * DAY + 1000);
	expect(latest).toBeGreaterThan(Date.now());
});

test('300 results page under the search budget (100 requests/min) with no 429', async () => {
	for (let i = 0; i < 300; i++) feishu.addMinute({ token: `b${String(i).padStart(23, '0')}`, title: `Busy ${i}`, createTime: NOW - i * 60_000 });
	const result = await runMinutes(store, { ...USER, keyword: 'Busy', returnAll: true, createdAfter: new Date(NOW - DAY).toISOString() });

	expect(result.error).toBeUndefined();
	expect(new Set(result.output(NODE_NAME).map((item) => item.json.minuteToken)).size).toBe(300);
	expect(feishu.rateLimited).toBe(0);
	expect(feishu.requestsTo('/search').length).toBeLessThanOrEqual(11);
});

test('a page that repeats its page token ends the search instead of looping', async () => {
	const page = (items: string[]) =>
		JSON.stringify({ code: 0, msg: 'success', data: { items: items.map((item) => ({ token: item })), has_more: true, page_token: 'same' } });
	feishu.injectFault({ pathIncludes: '/search', status: 200, body: page([token(1), token(2)]), headers: { 'Content-Type': 'application/json' } });
	for (let i = 0; i < 5; i++) {
		feishu.injectFault({ pathIncludes: '/search', status: 200, body: page([token(3)]), headers: { 'Content-Type': 'application/json' } });
	}
	const result = await runMinutes(store, { ...USER, returnAll: true, createdAfter: new Date(NOW - 10 * DAY).toISOString() });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME).map((item) => item.json.minuteToken)).toEqual([token(1), token(2), token(3)]);
	expect(feishu.requestsTo('/search')).toHaveLength(2);
});

test('the app credential searches as the app (custom apps); where Feishu refuses app tokens, the error says to use a user', async () => {
	const asApp = await runMinutes(store, { operation: 'search', limit: 3 });
	expect(asApp.error).toBeUndefined();
	expect(asApp.output(NODE_NAME)).toHaveLength(3);
	expect(feishu.requestsTo('/search')[0].authorization).toMatch(/^Bearer t-/);

	await feishu.stop();
	({ feishu, store } = await startFeishu({ searchUserOnly: true }));
	const refused = await runMinutes(store, { operation: 'search', limit: 3 });
	expect(refused.error?.message).toContain('Feishu rejected a freshly issued access token');
	expect(refused.error?.description).toMatch(/custom \(self-built\) apps.*Feishu OAuth2 API credential/);
});

describe('scopes', () => {
	test('a connection whose user did not grant the search scope fails before any request, naming it and what the connection allows', async () => {
		feishu.setAppScopes(['minutes:minutes:readonly', 'minutes:minutes.media:export', 'offline_access']);
		connectUser(feishu, store, REQUESTED_SCOPE);
		const result = await runMinutes(store, { ...USER, returnAll: true });

		expect(result.error?.message).toBe('The Feishu connection was not granted the scope minutes:minutes.search:read, which Search needs');
		expect(result.error?.description).toContain('This connection can run: Get, Get Media, Get Statistics.');
		expect(result.error?.description).toMatch(/developer console.*publish.*reconnect/);
		expect(feishu.requestsTo('/search')).toHaveLength(0);
	});

	test('an app without the scope: Feishu\'s 99991672 says which scope to add and to publish', async () => {
		feishu.setAppScopes(['minutes:minutes:readonly']);
		const result = await runMinutes(store, { operation: 'getMedia', minute: READY_TOKEN });

		expect(result.error?.message).toContain('The app lacks a required permission scope (Feishu code 99991672');
		expect(result.error?.description).toContain('add the scope for Get Media: minutes:minutes.media:export');
		expect(result.error?.description).toContain('publish a new version');
	});

	test('each operation\'s scope is granted by what the credential requests (strict simulator)', async () => {
		for (const operation of ['get', 'getMedia', 'getStatistics', 'getTranscript', 'getAiNotes']) {
			const result = await runMinutes(store, { authentication: 'userOAuth2', operation, minute: '={{ $json.minute }}' }, { items: itemsWithMinutes([READY_TOKEN]) });
			expect({ operation, error: result.error?.message }).toEqual({ operation, error: undefined });
		}
	});
});

test('Get AI Notes returns Feishu\'s summary, chapters and to-dos', async () => {
	const result = await runMinutes(store, { operation: 'getAiNotes', minute: READY_TOKEN });

	expect(result.output(NODE_NAME)[0].json).toMatchObject({
		minuteToken: READY_TOKEN,
		summary: expect.stringContaining('release plan'),
		minute_chapters: [expect.objectContaining({ title: 'Release plan' })],
		minute_todos: [expect.objectContaining({ content: 'Send the release notes' })],
	});
});
