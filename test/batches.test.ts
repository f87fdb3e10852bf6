import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

afterEach(async () => await feishu.stop());

function tokens(count: number, prefix = 'm'): string[] {
	return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(23, '0')}`);
}

describe('batches at the rate limit', () => {
	test('overlapping requests stay within Feishu\'s limit, with one token, in input order', async () => {
		({ feishu, store } = await startFeishu({ rateLimitPerSecond: 5, latencyMs: 150 }));
		const minutes = tokens(12);
		// answers come back out of order: later items answer faster
		minutes.forEach((token, i) => feishu.addMinute({ token, latencyMs: (12 - i) * 20 }));

		const result = await runMinutes(store, { minute: '={{ $json.minute }}' }, { items: itemsWithMinutes(minutes) });

		expect(result.error).toBeUndefined();
		const output = result.output(NODE_NAME);
		expect(output.map((item) => item.json.minuteToken)).toEqual(minutes);
		expect(output.map((item) => item.pairedItem)).toEqual(minutes.map((_, item) => ({ item })));
		expect(feishu.rateLimited).toBe(0);
		expect(feishu.tokenRequests).toBe(1);
		expect(feishu.maxInFlight).toBeGreaterThan(1);
	});

	test('HTTP 429 / 99991400 is waited out and retried, never an item failure', async () => {
		({ feishu, store } = await startFeishu({ rateLimitPerSecond: 2 }));
		const minutes = tokens(6);
		minutes.forEach((token) => feishu.addMinute({ token }));

		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', options: { requestsPerSecond: 20, maxRetries: 5 } },
			{ items: itemsWithMinutes(minutes), continueOnFail: true },
		);

		expect(feishu.rateLimited).toBeGreaterThan(0);
		const output = result.output(NODE_NAME);
		expect(output.filter((item) => item.json.error)).toEqual([]);
		expect(output.map((item) => item.json.minuteToken)).toEqual(minutes);
	});

	test('rate limiting has its own allowance: with Max Retries 0 a burst still ends with every item ok', async () => {
		({ feishu, store } = await startFeishu({ rateLimitPerSecond: 1 }));
		const minutes = tokens(3);
		minutes.forEach((token) => feishu.addMinute({ token }));

		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', options: { requestsPerSecond: 50, maxRetries: 0 } },
			{ items: itemsWithMinutes(minutes), continueOnFail: true },
		);

		expect(feishu.rateLimited).toBeGreaterThan(0);
		expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
	});

	test('when the rate-limit allowance (10 waits) runs out, rate limiting is reported as such', async () => {
		({ feishu, store } = await startFeishu());
		const refusal = JSON.stringify({ code: 99991400, msg: 'request trigger frequency limit' });
		for (let i = 0; i < 11; i++) {
			feishu.injectFault({ pathIncludes: '/media', status: 429, body: refusal, headers: { 'Content-Type': 'application/json', 'x-ogw-ratelimit-reset': '1' } });
		}
		const result = await runMinutes(store, { minute: READY_TOKEN }, { continueOnFail: true });

		expect(result.output(NODE_NAME)[0].json).toMatchObject({ feishuCode: 99991400, httpCode: 429, error: expect.stringContaining('rate limit') });
		expect(feishu.requestsTo('/media')).toHaveLength(11);
	}, 30_000);
});

describe('transient failures', () => {
	beforeEach(async () => {
		({ feishu, store } = await startFeishu());
	});

	test.each([
		['2091006', { status: 500, body: JSON.stringify({ code: 2091006, msg: 'service internal error' }), headers: { 'Content-Type': 'application/json' } }],
		['a 503 page', { status: 503, body: '<html>Service Unavailable</html>' }],
		['a connection reset', { reset: true }],
	])('%s is retried with back-off and the item succeeds', async (_case, fault) => {
		feishu.injectFault({ pathIncludes: '/media', ...fault });

		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json.downloadUrl).toBeDefined();
		expect(feishu.requestsTo('/media')).toHaveLength(2);
	});

	test('a request that times out is retried', async () => {
		feishu.addMinute({ token: 'slowslowslowslowslowslow', latencyMs: 1500 });
		const result = await runMinutes(store, {
			minute: 'slowslowslowslowslowslow',
			options: { timeoutSeconds: 1, maxRetries: 1 },
		});

		expect(result.error?.message).toBe(`Could not reach Feishu at ${feishu.apiUrl}`);
		expect(result.error?.description).toMatch(/timeout|ECONNABORTED|ETIMEDOUT/i);
		expect(feishu.requestsTo('/media')).toHaveLength(2);
	});

	test('client errors such as 2091005 are not retried', async () => {
		feishu.addMinute({ token: 'denieddenieddenieddenied', mediaError: 2091005 });
		const result = await runMinutes(store, { minute: 'denieddenieddenieddenied' });

		expect(result.error?.message).toContain('Permission denied');
		expect(feishu.requestsTo('/media')).toHaveLength(1);
	});

	test('retries are bounded by Max Retries', async () => {
		for (let i = 0; i < 5; i++) feishu.injectFault({ pathIncludes: '/media', status: 502, body: 'Bad Gateway' });
		const result = await runMinutes(store, { minute: READY_TOKEN, options: { maxRetries: 2 } });

		expect(result.error?.message).toContain('HTTP 502');
		expect(feishu.requestsTo('/media')).toHaveLength(3);
	});
});

describe('Wait Until Ready', () => {
	beforeEach(async () => {
		({ feishu, store } = await startFeishu());
	});

	test('polls a minute that is still transcribing until it is ready', async () => {
		feishu.addMinute({ token: 'pendingpendingpendingpen', readyAfterPolls: 2 });
		const result = await runMinutes(store, {
			minute: 'pendingpendingpendingpen',
			options: { waitUntilReady: true, pollIntervalSeconds: 0.1 },
		});

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json.downloadUrl).toBeDefined();
		expect(feishu.requestsTo('/media')).toHaveLength(3);
	});

	test('gives up after the ready timeout with a clear error', async () => {
		feishu.addMinute({ token: 'pendingpendingpendingpen', readyAfterPolls: 1000 });
		const result = await runMinutes(store, {
			minute: 'pendingpendingpendingpen',
			options: { waitUntilReady: true, pollIntervalSeconds: 0.1, readyTimeoutMinutes: 0.01 },
		});

		expect(result.error?.message).toContain('The minute is not ready yet (Feishu code 2091003');
		expect(result.error?.description).toContain('still not ready after waiting 1 s');
	});

	test('without it, 2091003 fails the item at once', async () => {
		feishu.addMinute({ token: 'pendingpendingpendingpen', readyAfterPolls: 1 });
		const result = await runMinutes(store, { minute: 'pendingpendingpendingpen' });

		expect(result.error?.message).toContain('not ready yet');
		expect(feishu.requestsTo('/media')).toHaveLength(1);
	});
});
