/** The fault table: each row a failure mode of Feishu or the network, and what the user gets. */
import { DEFAULT_APP, MEDIA_ERRORS, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
});
afterEach(async () => await feishu.stop());

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe.each([
	['an empty body', { status: 200, body: '' }, /not a Feishu API response/, /\(empty body\)/],
	['invalid JSON', { status: 200, body: '{"code":0,"data":', headers: JSON_HEADERS }, /not a Feishu API response/, /\{\\"code\\":0/],
	['a gateway HTML page', { status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' }, /HTTP 502/, /502 Bad Gateway/],
	[
		'code 0 without download_url',
		{ status: 200, body: JSON.stringify({ code: 0, msg: 'success', data: {} }), headers: JSON_HEADERS },
		/answered without a download URL/,
		/no data\.download_url/,
	],
])('the media endpoint answering %s', (_case, fault, message, description) => {
	test('is a clear error, not a crash, and the other items go on', async () => {
		feishu.injectFault({ pathIncludes: '/media', ...fault });
		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', options: { maxRetries: 0, requestsPerSecond: 1000 } },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN]), continueOnFail: true },
		);

		const [failed, ok] = result.output(NODE_NAME);
		expect(failed.json.error).toMatch(message);
		expect(failed.json.description).toMatch(description);
		expect(ok.json.downloadUrl).toBeDefined();
	});
});

test('a slow server: the item fails with a timeout error, the other items go on', async () => {
	feishu.addMinute({ token: 'slowslowslowslowslowslow', latencyMs: 2500 });
	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', options: { timeoutSeconds: 1, maxRetries: 0 } },
		{ items: itemsWithMinutes(['slowslowslowslowslowslow', READY_TOKEN]), continueOnFail: true },
	);

	const [slow, ok] = result.output(NODE_NAME);
	expect(slow.json.error).toBe(`Could not reach Feishu at ${feishu.apiUrl}`);
	expect(slow.json.description).toMatch(/timeout|ECONNABORTED|ETIMEDOUT/i);
	expect(ok.json.downloadUrl).toBeDefined();
});

describe('the token endpoint failing', () => {
	test('with 5xx: retried a bounded number of times, then a credential error naming the cause', async () => {
		for (let i = 0; i < 5; i++) feishu.injectFault({ pathIncludes: '/tenant_access_token/', status: 503, body: 'busy' });
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toBe(
			"Could not get a tenant access token from Feishu: the token endpoint answered HTTP 503 without a JSON body. Check the credential's deployment / Base URL, then try again later.",
		);
		expect(feishu.requestsTo('/tenant_access_token/')).toHaveLength(3);
		expect(feishu.requestsTo('/media')).toHaveLength(0);
	});

	test('once, then recovering: the item succeeds', async () => {
		feishu.injectFault({ pathIncludes: '/tenant_access_token/', status: 500, body: 'oops' });
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error).toBeUndefined();
		expect(feishu.tokenRequests).toBe(1);
	});
});

test('500 items mixing success and every error code, with Continue On Fail: 500 results in order, each paired, each error with its code', async () => {
	// this row is about error mapping at volume, not pacing: Feishu's 5/s is relaxed by name
	await feishu.stop();
	({ feishu, store } = await startFeishu({ relax: ['rateLimits'] }));
	const codes = Object.keys(MEDIA_ERRORS).map(Number);
	codes.forEach((code) => feishu.addMinute({ token: `e${code}`.padEnd(24, '0'), mediaError: code }));
	const minutes = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? READY_TOKEN : `e${codes[i % codes.length]}`.padEnd(24, '0')));

	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', options: { requestsPerSecond: 1000, maxRetries: 0 } },
		{ items: itemsWithMinutes(minutes), continueOnFail: true },
	);

	const output = result.output(NODE_NAME);
	expect(output).toHaveLength(500);
	output.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		if (minutes[i] === READY_TOKEN) expect(item.json.downloadUrl).toBeDefined();
		else expect(item.json.feishuCode).toBe(codes[i % codes.length]);
	});
	expect(feishu.tokenRequests).toBe(1);
});

test('no secret in any output item or error across the fault table', async () => {
	feishu.injectFault({ pathIncludes: '/media', status: 502, body: '<html>Bad Gateway</html>' });
	feishu.injectFault({ pathIncludes: '/media', status: 200, body: '' });
	feishu.addMinute({ token: 'slowslowslowslowslowslow', latencyMs: 2500 });
	const mixed = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', output: 'file', options: { maxRetries: 0, timeoutSeconds: 1 } },
		{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, 'slowslowslowslowslowslow', READY_TOKEN]), continueOnFail: true },
	);
	feishu.refuseDownloads(403);
	const refused = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });
	store.set('feishuApi', { ...store.get('feishuApi'), tenantAccessToken: '' });
	for (let i = 0; i < 3; i++) feishu.injectFault({ pathIncludes: '/tenant_access_token/', status: 503, body: 'busy' });
	const tokenDown = await runMinutes(store, { minute: READY_TOKEN });

	const tokens = feishu.requests.map((request) => request.authorization?.replace('Bearer ', '')).filter(Boolean) as string[];
	expect(tokens.length).toBeGreaterThan(0);
	const everything = JSON.stringify(
		[mixed, refused, tokenDown].map((result) => ({
			data: result.run.data.resultData,
			error: result.error && { ...result.error, message: result.error.message, description: result.error.description },
		})),
	);
	expect(everything).not.toContain(DEFAULT_APP.appSecret);
	for (const token of tokens) expect(everything).not.toContain(token);
});

test.each(['file:///etc/passwd', 'ftp://files.example/x.mp4', 'javascript:alert(1)', 'not a url'])(
	'a download URL with scheme %s is never followed',
	async (downloadUrl) => {
		feishu.injectFault({
			pathIncludes: '/media',
			status: 200,
			body: JSON.stringify({ code: 0, msg: 'success', data: { download_url: downloadUrl } }),
			headers: JSON_HEADERS,
		});
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });

		expect(result.error?.message).toBe('Feishu returned a download URL this node will not follow');
		expect(feishu.requests.filter((request) => request.server === 'file')).toHaveLength(0);
	},
);
