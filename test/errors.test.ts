import type { NodeApiError } from 'n8n-workflow';

import { DEFAULT_APP, MEDIA_ERRORS, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
});
afterEach(async () => await feishu.stop());

const FAILING = {
	2091001: 'c00000000000000000000001',
	2091002: 'c00000000000000000000002',
	2091003: 'c00000000000000000000003',
	2091004: 'c00000000000000000000004',
	2091005: 'c00000000000000000000005',
	2091006: 'c00000000000000000000006',
} as const;

/** What the user must be told to do, per documented code. */
const ADVICE: Record<number, RegExp> = {
	2091001: /Minute field holds a 24-character minute token or a Minutes link/,
	2091002: /Check the link/,
	2091003: /still processing.*Try again/,
	2091004: /was deleted/,
	2091005: /Share.*read access.*Get Media: minutes:minutes\.media:export/,
	2091006: /Try again later/,
};

function addFailingMinutes() {
	for (const [code, token] of Object.entries(FAILING)) feishu.addMinute({ token, mediaError: Number(code) });
}

describe('every documented Feishu error becomes a clear NodeApiError', () => {
	test.each(Object.keys(MEDIA_ERRORS).map(Number))('code %i', async (code) => {
		addFailingMinutes();
		const result = await runMinutes(store, { minute: FAILING[code as keyof typeof FAILING], options: { maxRetries: 0 } });

		// the engine keeps errors as plain serialisable objects
		const error = result.error as unknown as NodeApiError;
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe(String(MEDIA_ERRORS[code].status));
		expect(error.message).toContain(`Feishu code ${code}: ${MEDIA_ERRORS[code].msg}`);
		expect(error.context.feishuCode).toBe(code);
		expect(error.description).toMatch(ADVICE[code]);
	});
});

test('a gateway error page is a clear error, not a crash', async () => {
	feishu.injectFault({ pathIncludes: '/media', status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
	const result = await runMinutes(store, { minute: READY_TOKEN, options: { maxRetries: 0 } });

	const error = result.error as unknown as NodeApiError;
	expect(error.message).toBe('Feishu answered HTTP 502 with something that is not a Feishu API response');
	expect(error.description).toContain('502 Bad Gateway');
	expect(error.httpCode).toBe('502');
});

test('an unknown Feishu code still names the code and Feishu\'s message', async () => {
	feishu.injectFault({
		pathIncludes: '/media',
		status: 400,
		body: JSON.stringify({ code: 1234567, msg: 'something new' }),
		headers: { 'Content-Type': 'application/json' },
	});
	const result = await runMinutes(store, { minute: READY_TOKEN });

	expect(result.error?.message).toBe('Feishu returned an error (Feishu code 1234567: something new)');
});

test('a proxy answering in Feishu\'s envelope with the token echoed in msg: the error never quotes the token', async () => {
	for (const echo of ['{{token}}', 'Authorization: Bearer {{token}}', 'token={{token}}']) {
		feishu.injectFault({
			pathIncludes: '/media',
			status: 403,
			body: JSON.stringify({ code: 99991000, msg: `proxy refused ${echo}` }),
			headers: { 'Content-Type': 'application/json' },
		});
		const result = await runMinutes(store, { minute: READY_TOKEN });

		const token = feishu.requestsTo('/media').at(-1)!.authorization!.replace('Bearer ', '');
		expect(result.error?.message).toContain('proxy refused');
		expect(JSON.stringify([serialiseError(result.error), result.run.data.resultData])).not.toContain(token);
	}
});

test('Continue On Fail: failing items get an error object with the Feishu code, the others go on', async () => {
	addFailingMinutes();
	const minutes = [READY_TOKEN, FAILING[2091005], 'not a minute', FAILING[2091002], READY_TOKEN];
	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}' },
		{ items: itemsWithMinutes(minutes), continueOnFail: true },
	);

	expect(result.error).toBeUndefined();
	const output = result.output(NODE_NAME);
	expect(output.map((item) => item.pairedItem)).toEqual(minutes.map((_, item) => ({ item })));
	expect(output[0].json.downloadUrl).toBeDefined();
	expect(output[1].json).toMatchObject({ feishuCode: 2091005, httpCode: 403, error: expect.stringContaining('Permission denied') });
	expect(output[2].json).toMatchObject({ error: expect.stringContaining('neither a 24-character minute token') });
	expect(output[2].json.feishuCode).toBeUndefined();
	expect(output[3].json).toMatchObject({ feishuCode: 2091002, httpCode: 404 });
	expect(output[4].json.downloadUrl).toBeDefined();
});

describe('credential errors', () => {
	test('a wrong App Secret is a credential error naming Feishu\'s reason, fetched once for all items', async () => {
		store.set('feishuApi', { ...store.get('feishuApi'), appSecret: 'wrong-secret-value' });
		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}' },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]), continueOnFail: true },
		);

		const output = result.output(NODE_NAME);
		expect(output).toHaveLength(3);
		for (const item of output) {
			expect(item.json.error).toContain('Feishu refused the App ID / App Secret: app secret invalid (code 10014)');
			expect(item.json.description).toContain('use its Test button');
		}
		expect(feishu.tokenRequests).toBe(1);
		expect(feishu.requestsTo('/media')).toHaveLength(0);
	});

	test('an unknown App ID is reported as such', async () => {
		store.set('feishuApi', { ...store.get('feishuApi'), appId: 'cli_unknown' });
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toContain('invalid param (code 10003)');
	});

	test('a Base URL that is not a URL is reported before any request', async () => {
		store.set('feishuApi', { ...store.get('feishuApi'), baseUrl: 'open.feishu.cn' });
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toContain('Base URL "open.feishu.cn" is not a URL');
		expect(feishu.requests).toHaveLength(0);
	});

	test('an unreachable Feishu is a clear, bounded error', async () => {
		await feishu.stop();
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toMatch(/^Could not get a tenant access token from Feishu: could not reach http/);
		expect(result.error?.description).toContain('ECONNREFUSED');
	});
});

test('no app secret or token ever appears in output items or errors', async () => {
	addFailingMinutes();
	const minutes = [READY_TOKEN, ...Object.values(FAILING), 'bad input'];
	const ok = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', output: 'file' },
		{ items: itemsWithMinutes(minutes), continueOnFail: true },
	);
	const failed = await runMinutes(store, { minute: FAILING[2091005] });
	store.set('feishuApi', { ...store.get('feishuApi'), appSecret: `${DEFAULT_APP.appSecret}-but-wrong`, tenantAccessToken: '' });
	const badSecret = await runMinutes(store, { minute: READY_TOKEN });

	const issuedTokens = feishu.requests
		.map((request) => request.authorization?.replace('Bearer ', ''))
		.filter((token): token is string => !!token);
	expect(issuedTokens.length).toBeGreaterThan(0);
	const everything = JSON.stringify([
		ok.run.data.resultData,
		failed.run.data.resultData,
		serialiseError(failed.error),
		badSecret.run.data.resultData,
		serialiseError(badSecret.error),
	]);
	expect(everything).not.toContain(DEFAULT_APP.appSecret);
	for (const token of issuedTokens) expect(everything).not.toContain(token);
});

function serialiseError(error: unknown) {
	expect(error).toBeDefined();
	const record = error as Record<string, unknown>;
	return { ...record, message: record.message, description: record.description, cause: record.cause, context: record.context };
}

describe('platform codes say what to do', () => {
	test.each([
		['disabled', 99991662, /The Feishu app is disabled/, /administrator.*enable it/],
		['notInstalled', 99991673, /not available in this tenant/, /Publish a version.*administrator approve/],
	] as const)('an app that is %s: %i', async (state, code, message, advice) => {
		feishu.setAppState(state);
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).toContain(`Feishu code ${code}`);
		expect(result.error?.description).toMatch(advice);
	});

	test.each([
		[99991671, /malformed/, /Deployment \/ Base URL/],
		[99991676, /lacks the permission/, /minutes:minutes\.media:export.*publish/],
		[99991543, /does not know this App ID/, /Copy the App ID and App Secret again/],
	])('Feishu code %i', async (code, message, advice) => {
		feishu.injectFault({
			pathIncludes: '/media',
			status: 400,
			body: JSON.stringify({ code, msg: 'from Feishu' }),
			headers: { 'Content-Type': 'application/json' },
		});
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(advice);
	});
});
