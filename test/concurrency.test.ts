/**
 * Many executions at once in one n8n process: they share the app's rate budget and its token, as
 * Feishu counts them (per app), so a burst of executions neither meets 429 nor fetches tokens twice.
 */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

afterEach(async () => await feishu.stop());

test('4 executions × 10 items at once against Feishu\'s 5/s: no 429, one token fetch, every item ok', async () => {
	({ feishu, store } = await startFeishu());
	const minutes = Array.from({ length: 10 }, (_, i) => `c${String(i).padStart(23, '0')}`);
	minutes.forEach((token) => feishu.addMinute({ token }));

	const started = Date.now();
	const results = await Promise.all(
		Array.from({ length: 4 }, async () => await runMinutes(store, { minute: '={{ $json.minute }}' }, { items: itemsWithMinutes(minutes), continueOnFail: true })),
	);
	const seconds = (Date.now() - started) / 1000;

	for (const result of results) {
		expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
		expect(result.output(NODE_NAME).map((item) => item.json.minuteToken)).toEqual(minutes);
	}
	expect(feishu.rateLimited).toBe(0);
	expect(feishu.tokenRequests).toBe(1);
	// 40 starts, 5 per sliding second: the last cannot come before 7 s — the executions shared one budget
	expect(seconds).toBeGreaterThanOrEqual(7);
}, 60_000);

test('an execution that another process left a stale token for fetches one new token, shared with the others', async () => {
	({ feishu, store } = await startFeishu());
	store.set('feishuApi', { ...store.get('feishuApi'), tenantAccessToken: 't-revokedrevokedrevoked' });
	const runs = await Promise.all(
		Array.from({ length: 3 }, async () => await runMinutes(store, { minute: '={{ $json.minute }}' }, { items: itemsWithMinutes(['obcnq3b9jl72l83w4f149w9c']), continueOnFail: true })),
	);

	for (const result of runs) expect(result.output(NODE_NAME)[0].json.error).toBeUndefined();
	expect(feishu.tokenRequests).toBe(1);
});

test('two stale tokens (the stored one and one this process fetched earlier) cost one fetch, and no item fails', async () => {
	({ feishu, store } = await startFeishu());
	const minute = 'obcnq3b9jl72l83w4f149w9c';
	// this process fetches and remembers a token; then another process stores a different one
	await runMinutes(store, { minute });
	const issued = await fetch(`${feishu.apiUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ app_id: store.get('feishuApi').appId, app_secret: store.get('feishuApi').appSecret }),
	}).then(async (response) => ((await response.json()) as { tenant_access_token: string }).tenant_access_token);
	store.set('feishuApi', { ...store.get('feishuApi'), tenantAccessToken: issued });
	feishu.revokeTokens();
	const before = feishu.tokenRequests;

	const result = await runMinutes(store, { minute: '={{ $json.minute }}' }, { items: itemsWithMinutes([minute, minute, minute]), continueOnFail: true });

	expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
	expect(feishu.tokenRequests - before).toBe(1);
});
