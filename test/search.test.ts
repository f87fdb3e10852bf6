import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, connectUser, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

const DAY = 24 * 3600 * 1000;
const START = Date.parse('2026-11-01T00:00:00Z');

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	// 40 more minutes, one a day from Nov 1st; every third is a weekly sync
	for (let day = 0; day < 40; day++) {
		feishu.addMinute({
			token: `s${String(day).padStart(23, '0')}`,
			title: day % 3 === 0 ? `Weekly sync ${day}` : `Interview ${day}`,
			createTime: START + day * DAY,
		});
	}
});
afterEach(async () => await feishu.stop());

const USER = { authentication: 'userOAuth2', operation: 'search' };

test('Return All pages through every match (Feishu pages hold at most 30)', async () => {
	const result = await runMinutes(store, { ...USER, returnAll: true });

	expect(result.error).toBeUndefined();
	const tokens = result.output(NODE_NAME).map((item) => item.json.minuteToken);
	expect(tokens).toHaveLength(41);
	expect(new Set(tokens).size).toBe(41);
	expect(feishu.requestsTo('/search')).toHaveLength(2);
	expect(result.output(NODE_NAME).every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
});

test('keyword, create-time window and Limit narrow the results', async () => {
	const result = await runMinutes(store, {
		...USER,
		keyword: 'Weekly sync',
		createdAfter: '2026-11-10T00:00:00Z',
		createdBefore: '2026-11-30T00:00:00Z',
		limit: 4,
	});

	const items = result.output(NODE_NAME);
	expect(items.map((item) => item.json.display_info)).toEqual(['Weekly sync 9', 'Weekly sync 12', 'Weekly sync 15', 'Weekly sync 18']);
	expect(items[0].json).toMatchObject({ minuteToken: `s${'9'.padStart(23, '0')}`, meta_data: { app_link: expect.stringContaining('/minutes/') } });
	const [request] = feishu.requestsTo('/search');
	expect(new URL(request.path, feishu.apiUrl).searchParams.get('page_size')).toBe('4');
});

test('with the app credential, Search says it needs User (OAuth2), before any request', async () => {
	const result = await runMinutes(store, { operation: 'search', returnAll: true });

	expect(result.error?.message).toBe('Search needs User (OAuth2) authentication');
	expect(result.error?.description).toContain('minutes:minutes.search:read');
	expect(feishu.requestsTo('/search')).toHaveLength(0);
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
