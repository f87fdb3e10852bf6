/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { startFeishu, NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

afterEach(async () => await feishu.stop());

test('one token for all items, stored and reused by the next execution', async () => {
	({ feishu, store } = await startFeishu());
	const items = itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]);

	await runMinutes(store, { minute: '={{ $json.minute }}' }, { items });
	expect(feishu.tokenRequests).toBe(1);
	expect(store.get('feishuApi').tenantAccessToken).toMatch(/^t-/);

	const second = await runMinutes(store, { minute: '={{ $json.minute }}' }, { items });
	expect(second.error).toBeUndefined();
	expect(feishu.tokenRequests).toBe(1);
});

describe.each([400, 401, 200])('a revoked token (code 99991663 with HTTP %i)', (tokenErrorStatus) => {
	beforeEach(async () => {
		({ feishu, store } = await startFeishu({ tokenErrorStatus }));
	});

	test('is refreshed exactly once, the request retried, and the new token stored', async () => {
		await runMinutes(store, { minute: READY_TOKEN });
		const oldToken = store.get('feishuApi').tenantAccessToken;
		feishu.revokeTokens();

		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}' },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]) },
		);

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).every((item) => typeof item.json.downloadUrl === 'string')).toBe(true);
		expect(feishu.tokenRequests).toBe(2);
		const newToken = store.get('feishuApi').tenantAccessToken;
		expect(newToken).toMatch(/^t-/);
		expect(newToken).not.toBe(oldToken);
	});
});

test('a token Feishu keeps refusing after one refresh is a clear error, not a loop', async () => {
	({ feishu, store } = await startFeishu());
	const refusal = JSON.stringify({ code: 99991663, msg: 'Invalid access token for authorization.' });
	for (let i = 0; i < 2; i++) {
		feishu.injectFault({ pathIncludes: '/media', status: 400, body: refusal, headers: { 'Content-Type': 'application/json' } });
	}

	const result = await runMinutes(store, { minute: READY_TOKEN });

	expect(result.error?.message).toBe('Feishu rejected a freshly issued access token');
	expect(feishu.tokenRequests).toBe(2);
	expect(feishu.requestsTo('/media')).toHaveLength(2);
});

test('a token revoked in the middle of a 40-item batch is fetched again once, and every item succeeds', async () => {
	({ feishu, store } = await startFeishu({ relax: ['rateLimits'] }));
	const minutes = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(23, '0')}`);
	minutes.forEach((token) => feishu.addMinute({ token }));
	const revoke = setTimeout(() => feishu.revokeTokens(), 1500);

	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', options: { requestsPerSecond: 10 } },
		{ items: itemsWithMinutes(minutes), continueOnFail: true },
	);
	clearTimeout(revoke);

	expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
	expect(feishu.requestsTo('/media').some((request) => request.at > Date.now() - 3000)).toBe(true);
	expect(feishu.tokenRequests).toBe(2);
});
