import type { IDataObject } from 'n8n-workflow';

import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, connectUser, itemsWithMinutes, minutesWorkflow, runMinutes, startFeishu } from './harness/fixtures';
import { type CredentialStore, runWorkflow } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

afterEach(async () => await feishu.stop());

const USER = { authentication: 'userOAuth2' };

test('User (OAuth2): requests carry the user\'s token, never fetch a tenant token', async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	const userToken = store.get('feishuOAuth2Api').oauthTokenData as { access_token: string };

	const result = await runMinutes(store, { ...USER, minute: READY_TOKEN, output: 'file' });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json.fileSize).toBe(256 * 1024);
	expect(feishu.requestsTo('/media').map((request) => request.authorization)).toEqual([`Bearer ${userToken.access_token}`]);
	expect(feishu.tokenRequests).toBe(0);
	expect(feishu.requests.filter((request) => request.server === 'file' && request.authorization)).toEqual([]);
});

test.each([
	['get', 'title'],
	['getStatistics', 'page_view_count'],
	['getTranscript', 'transcript'],
])('User (OAuth2) works for %s too', async (operation, field) => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	const result = await runMinutes(store, { ...USER, operation, minute: READY_TOKEN });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json[field]).toBeDefined();
});

describe.each([401, 400])('an expired user token (99991677 with HTTP %i)', (tokenErrorStatus) => {
	test('is refreshed once through the refresh token, and the new tokens are stored', async () => {
		({ feishu, store } = await startFeishu({ tokenErrorStatus }));
		connectUser(feishu, store);
		const before = store.get('feishuOAuth2Api').oauthTokenData as { refresh_token: string };
		feishu.revokeTokens();

		const result = await runMinutes(
			store,
			{ ...USER, minute: '={{ $json.minute }}' },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]) },
		);

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).every((item) => typeof item.json.downloadUrl === 'string')).toBe(true);
		expect(feishu.userTokenRefreshes).toBe(1);
		const after = store.get('feishuOAuth2Api').oauthTokenData as { refresh_token: string };
		expect(after.refresh_token).not.toBe(before.refresh_token);
	});
});

test('a refresh Feishu refuses, with no other process storing a new pair, asks the user to reconnect after a bounded wait', async () => {
	({ feishu, store } = await startFeishu({ tokenErrorStatus: 401 }));
	connectUser(feishu, store);
	store.set('feishuOAuth2Api', {
		...store.get('feishuOAuth2Api'),
		oauthTokenData: { access_token: 'u-stale', refresh_token: 'ur-already-used', token_type: 'Bearer' },
	});

	const result = await runMinutes(store, { ...USER, minute: READY_TOKEN });

	expect(result.error?.message).toBeDefined();
	expect(`${result.error?.message} ${result.error?.description}`).toMatch(/reconnect/i);
	expect(result.error?.description).toMatch(/No other execution stored a new token within 30 s/);
	expect(JSON.stringify(result.run.data.resultData)).not.toContain('ur-already-used');
}, 45_000);

test('two executions sharing a user credential whose token expires at once: one refresh, no failed item', async () => {
	({ feishu, store } = await startFeishu({ tokenErrorStatus: 400 }));
	connectUser(feishu, store);
	feishu.revokeTokens();

	const run = async () =>
		await runMinutes(
			store,
			{ ...USER, minute: '={{ $json.minute }}' },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]), continueOnFail: true },
		);
	const [first, second] = await Promise.all([run(), run()]);

	for (const result of [first, second]) expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
	expect(feishu.userTokenRefreshes).toBe(1);
	expect(feishu.stats().refreshTokenReuses).toBe(0);
});

test('when another process refreshed first (the refresh token is already used), the stored pair is used, no failed item', async () => {
	({ feishu, store } = await startFeishu({ tokenErrorStatus: 400 }));
	connectUser(feishu, store);
	feishu.revokeTokens();
	const stale = store.get('feishuOAuth2Api');
	// another n8n worker refreshes and stores the new pair while this execution still holds the old one
	const staleRefresh = (stale.oauthTokenData as { refresh_token: string }).refresh_token;
	const refreshed = await fetch(`${feishu.apiUrl}/open-apis/authen/v2/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: staleRefresh, client_id: stale.clientId, client_secret: stale.clientSecret }),
	}).then(async (response) => (await response.json()) as Record<string, unknown>);
	expect(refreshed.code).toBe(0);
	const fresh = { ...stale, oauthTokenData: { ...(stale.oauthTokenData as IDataObject), ...refreshed } as IDataObject };
	// the other worker's write lands only after this execution's refresh was refused as "already used"
	const read = store.get.bind(store);
	store.get = (type: string) => (type !== 'feishuOAuth2Api' ? read(type) : feishu.stats().refreshTokenReuses > 0 ? { ...fresh } : { ...stale });

	const result = await runMinutes(store, { ...USER, minute: READY_TOKEN }, { continueOnFail: true });

	expect(result.output(NODE_NAME)[0].json.error).toBeUndefined();
	expect(result.output(NODE_NAME)[0].json.downloadUrl).toBeDefined();
	expect(feishu.stats().refreshTokenReuses).toBe(1);
});

describe('a refresh race between two n8n processes sharing one user credential', () => {
	/** Two processes: n8n coordinates refreshes per credential within a process only, so each gets its own ID here. */
	const runAs = async (credentialId: string) => {
		const workflow = minutesWorkflow({ ...USER, minute: '={{ $json.minute }}' }, { continueOnFail: true });
		workflow.nodes[1].credentials!.feishuOAuth2Api = { id: credentialId, name: 'Feishu user account' };
		return await runWorkflow(workflow, { store, items: itemsWithMinutes([READY_TOKEN, READY_TOKEN, READY_TOKEN]) });
	};

	test('the process whose refresh was refused as already used waits for the pair the other stores: no item fails', async () => {
		// Feishu takes the first refresh at once but answers it after 3 s; the second is refused at once (20073)
		const delays = [3000, 0];
		({ feishu, store } = await startFeishu({ tokenErrorStatus: 400, refreshDelayMs: () => delays.shift() ?? 0 }));
		connectUser(feishu, store);
		feishu.revokeTokens();

		const [first, second] = await Promise.all([runAs('2'), runAs('2-other-process')]);

		for (const result of [first, second]) expect(result.output(NODE_NAME).map((item) => item.json.error ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
		expect(feishu.userTokenRefreshes).toBe(1);
		expect(feishu.stats().refreshTokenReuses).toBe(1);
	}, 40_000);

	test.each([[0, 8000]] as Array<[number, number]>)('token endpoint answering after %i–%i ms: every item ok', async (min, max) => {
		({ feishu, store } = await startFeishu({ tokenErrorStatus: 400, refreshDelayMs: [min, max] }));
		connectUser(feishu, store);
		feishu.revokeTokens();

		const results = await Promise.all([runAs('2'), runAs('2-other-process'), runAs('2')]);

		for (const result of results) expect(result.output(NODE_NAME).filter((item) => item.json.error)).toEqual([]);
	}, 60_000);
});

test('the token endpoint down for a moment while the user token is refreshed: the item waits it out, no failure', async () => {
	({ feishu, store } = await startFeishu({ tokenErrorStatus: 400 }));
	connectUser(feishu, store);
	feishu.revokeTokens();
	feishu.injectOutage({ pathIncludes: '/oauth/token', status: 503, body: 'Service Unavailable' }, 1500);

	const result = await runMinutes(store, { ...USER, minute: READY_TOKEN }, { continueOnFail: true });

	const [item] = result.output(NODE_NAME);
	expect(item.json.error).toBeUndefined();
	expect(item.json.downloadUrl).toBeDefined();
	expect(feishu.userTokenRefreshes).toBe(1);
});
