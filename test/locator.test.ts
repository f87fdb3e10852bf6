/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The Minute field as a resource locator (node version 2): From List, By URL, By ID (the token), expressions —
 * and version 1's plain text field, as saved workflows have it, still running.
 */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, connectUser, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import { type CredentialStore, listSearch } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
});
afterEach(async () => await feishu.stop());

const V2 = { typeVersion: 2 };
const locator = (mode: string, value: string) => ({ __rl: true, mode, value });
const CREDENTIALS = { feishuApi: { id: '1', name: 'Feishu account' }, feishuOAuth2Api: { id: '2', name: 'Feishu user account' } };

test.each([
	['By URL', locator('url', `https://acme.feishu.cn/minutes/${READY_TOKEN}?from=copylink`)],
	['By URL (Lark)', locator('url', `https://acme.larksuite.com/minutes/${READY_TOKEN}`)],
	['By ID', locator('id', READY_TOKEN)],
	['From List', locator('list', READY_TOKEN)],
	['an expression giving a link', locator('url', `={{ "https://sample.feishu.cn/minutes/${READY_TOKEN}" }}`)],
	['an expression giving a token', locator('id', '={{ $json.minute }}')],
])('%s runs Get Media with the minute', async (_case, minute) => {
	const result = await runMinutes(store, { minute }, { ...V2, items: itemsWithMinutes([READY_TOKEN]) });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json).toMatchObject({ minuteToken: READY_TOKEN, downloadUrl: expect.any(String) });
});

test('a typed value the mode does not accept: n8n refuses the workflow with the mode\'s message, before any request', async () => {
	await expect(runMinutes(store, { minute: locator('url', 'https://sample.feishu.cn/docx/abc') }, V2)).rejects.toThrow(
		'Not a Minutes link: https://<tenant>.feishu.cn/minutes/<24-character token>',
	);
	await expect(runMinutes(store, { minute: locator('id', 'short') }, V2)).rejects.toThrow('Not a 24-character minute token');
	expect(feishu.requests).toHaveLength(0);
});

test('an expression that yields something else fails the item with the field\'s own message, before any request', async () => {
	const result = await runMinutes(store, { minute: locator('url', '={{ "https://sample.feishu.cn/docx/abc" }}') }, V2);

	expect(result.error?.message).toContain('not a Minutes link');
	expect(feishu.requests).toHaveLength(0);
});

test('version 1 workflows (the Minute as text) keep working', async () => {
	const result = await runMinutes(store, { minute: `https://sample.feishu.cn/minutes/${READY_TOKEN}` });
	expect(result.output(NODE_NAME)[0].json.minuteToken).toBe(READY_TOKEN);
});

describe('From List', () => {
	beforeEach(() => {
		feishu.addMinute({ token: 'listlistlistlistlist0001', title: 'Weekly sync', createTime: Date.now() - 3600_000 });
		feishu.addMinute({ token: 'listlistlistlistlist0002', title: 'Interview', createTime: Date.now() - 7200_000 });
	});

	test('lists the user\'s newest minutes by title, with links; the filter box searches', async () => {
		const parameters = { authentication: 'userOAuth2', resource: 'minute', operation: 'getMedia' };
		const all = await listSearch('n8n-nodes-feishu-minutes.feishuMinutes', 'searchMinutes', parameters, CREDENTIALS, { store });
		expect(all.results.map((result) => [result.name, result.value])).toEqual([
			['Weekly sync', 'listlistlistlistlist0001'],
			['Interview', 'listlistlistlistlist0002'],
		]);
		expect(all.results[0].url).toBe('https://sample.feishu.cn/minutes/listlistlistlistlist0001');

		const filtered = await listSearch('n8n-nodes-feishu-minutes.feishuMinutes', 'searchMinutes', parameters, CREDENTIALS, { store, filter: 'Interview' });
		expect(filtered.results.map((result) => result.value)).toEqual(['listlistlistlistlist0002']);
		expect(JSON.parse(feishu.requestsTo('/search').at(-1)?.body ?? '{}').query).toBe('Interview');
	});

	test('with the app credential it lists what the app can see (custom apps)', async () => {
		const parameters = { authentication: 'tenantToken', resource: 'minute', operation: 'get' };
		const listed = await listSearch('n8n-nodes-feishu-minutes.feishuMinutes', 'searchMinutes', parameters, CREDENTIALS, { store });
		expect(listed.results.length).toBeGreaterThanOrEqual(2);
		expect(feishu.requestsTo('/search')[0].authorization).toMatch(/^Bearer t-/);
	});

	test('picking one runs', async () => {
		const result = await runMinutes(store, { operation: 'get', minute: locator('list', 'listlistlistlistlist0002') }, V2);
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ minuteToken: 'listlistlistlistlist0002', title: 'Interview' });
	});
});
