/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * `npm run test:e2e`: the packed package inside a real n8n. Slow on a cold machine (n8n's own
 * install), so it is not part of `npm test`; CI runs both.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters, IWorkflowBase } from 'n8n-workflow';

import { DEFAULT_APP, FeishuSimulator, mediaBytes } from '../simulator/FeishuSimulator';
import { connectedUser } from '../harness/fixtures';
import { e2eVersion, installN8n, installPackedPackage, N8n, PACKAGE_NAME, ROOT } from './n8n';

const MINUTE = 'obcnq3b9jl72l83w4f149w9c';
const FORBIDDEN = 'obcnforbiddenminute00001';
const STALL_FIRST = 'obcnstallfirst0000000001';
const STALL_SECOND = 'obcnstallsecond000000002';
const SIZE = 3 * 1024 * 1024 + 17;
const CREDENTIAL = { id: 'feishuSimulator01', name: 'Feishu account' };
const USER_CREDENTIAL = { id: 'feishuUserOAuth01', name: 'Feishu user account' };
/** The n8n under test is of the 1.x line (known before it is installed, for the test names). */
const N8N_1X = e2eVersion().startsWith('1.');

let n8n: N8n;
let feishu: FeishuSimulator;

/** The repository's example workflow, with its Minutes node's parameters adjusted. */
function exampleWorkflow(id: string, parameters: INodeParameters, extraNodes: IWorkflowBase['nodes'] = []) {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'get-media.workflow.json'), 'utf8')) as IWorkflowBase;
	const minutes = workflow.nodes.find((node) => node.type === `${PACKAGE_NAME}.feishuMinutes`)!;
	minutes.parameters = { ...minutes.parameters, ...parameters };
	workflow.id = id;
	workflow.name = `e2e ${id}`;
	workflow.nodes.push(...extraNodes);
	for (const node of extraNodes) workflow.connections[minutes.name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	return workflow;
}

/** Search (two minutes) → Get Media as files, one at a time, Continue On Fail, Max Retries 0: the first download will stall, and stay failed. */
function stallWorkflow(): IWorkflowBase {
	const workflow = exampleWorkflow('e2eStalledDownl1', { operation: 'search', keyword: 'Stall test', limit: 2 });
	workflow.nodes.push({
		id: 'download',
		name: 'Download',
		type: `${PACKAGE_NAME}.feishuMinutes`,
		typeVersion: 1,
		position: [480, 0],
		parameters: {
			resource: 'minute',
			operation: 'getMedia',
			minute: '={{ $json.minuteToken }}',
			output: 'file',
			options: { timeoutSeconds: 2, parallelDownloads: 1, maxRetries: 0 },
		},
		credentials: { feishuApi: CREDENTIAL },
		onError: 'continueRegularOutput',
	});
	workflow.connections['Feishu Minutes'] = { main: [[{ node: 'Download', type: 'main', index: 0 }]] };
	return workflow;
}

/** The user signs in with Feishu again (a new token pair): on n8n 1.x the only way past an expired user token. */
async function reconnectUser(): Promise<void> {
	await n8n.importJson('credentials', [{ ...USER_CREDENTIAL, type: 'feishuOAuth2Api', data: connectedUser(feishu) }]);
}

function withUserCredential(workflow: IWorkflowBase): IWorkflowBase {
	const minutes = workflow.nodes.find((node) => node.type === `${PACKAGE_NAME}.feishuMinutes`)!;
	minutes.credentials = { feishuOAuth2Api: USER_CREDENTIAL };
	return workflow;
}

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);

	feishu = await new FeishuSimulator().start();
	feishu.addMinute({ token: MINUTE, title: '产品周会 Weekly sync', size: SIZE });
	feishu.addMinute({ token: FORBIDDEN, mediaError: 2091005 });

	await n8n.importJson('credentials', [
		{ ...CREDENTIAL, type: 'feishuApi', data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP } },
		{
			...USER_CREDENTIAL,
			type: 'feishuOAuth2Api',
			data: connectedUser(feishu),
		},
	]);
	await n8n.importJson('workflow', [
		exampleWorkflow('e2eUrlMode000001', { minute: `https://sample.feishu.cn/minutes/${MINUTE}`, output: 'url' }),
		exampleWorkflow('e2eDownload00001', { minute: MINUTE, output: 'file' }, [
			{
				id: 'write-file',
				name: 'Write File',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1,
				position: [480, 0],
				parameters: {
					operation: 'write',
					fileName: `=${n8n.filesFolder}/{{ $binary.data.fileName }}`,
					dataPropertyName: 'data',
				},
			},
		]),
		exampleWorkflow('e2eForbidden0001', { minute: FORBIDDEN, output: 'url' }),
		exampleWorkflow('e2eTranscript001', { operation: 'getTranscript', minute: MINUTE, output: 'text', fileFormat: 'srt' }),
		withUserCredential(exampleWorkflow('e2eUserOAuth0001', { authentication: 'userOAuth2', minute: MINUTE, output: 'url' })),
		stallWorkflow(),
	]);
}, 1_200_000);

afterAll(async () => {
	await feishu?.stop();
	n8n?.cleanUp();
});

test('URL mode: the node type from the installed package runs and outputs the download URL', async () => {
	const { status, run, output } = await n8n.execute('e2eUrlMode000001');

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const [item] = run!.data.resultData.runData['Feishu Minutes'][0].data!.main[0];
	expect(item.json.minuteToken).toBe(MINUTE);
	expect(String(item.json.downloadUrl)).toContain(`${feishu.fileUrl}/space/api/box/stream/download/authcode/`);
});

test('download mode: the file written by the next node has the simulator\'s bytes, name and type', async () => {
	const { status, run, output } = await n8n.execute('e2eDownload00001');

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const [item] = run!.data.resultData.runData['Feishu Minutes'][0].data!.main[0];
	expect(item.json).toMatchObject({ fileName: '产品周会 Weekly sync.mp4', mimeType: 'video/mp4', fileSize: SIZE });
	expect(item.binary!.data).toMatchObject({ fileName: '产品周会 Weekly sync.mp4', mimeType: 'video/mp4' });
	const written = readFileSync(join(n8n.filesFolder, '产品周会 Weekly sync.mp4'));
	expect(written.equals(mediaBytes(MINUTE, SIZE))).toBe(true);
	expect(feishu.requests.filter((request) => request.server === 'file' && request.authorization)).toEqual([]);
});

test('an error workflow exits non-zero with the mapped message', async () => {
	const { status, output } = await n8n.execute('e2eForbidden0001');

	expect(status).not.toBe(0);
	expect(output).toContain('Permission denied for this minute (Feishu code 2091005: permission deny)');
	expect(output).not.toContain(DEFAULT_APP.appSecret);
});

test('a download that stalls mid-body fails its item within Timeout, and the next item gets its file', async () => {
	feishu.addMinute({ token: STALL_FIRST, title: 'Stall test first', size: 200_000, createTime: Date.now() - 60_000 });
	feishu.addMinute({ token: STALL_SECOND, title: 'Stall test second', size: 200_000, createTime: Date.now() - 120_000 });
	feishu.injectDownloadFault({ stallAfterBytes: 50_000 });
	const started = Date.now();
	const { status, run, output } = await n8n.execute('e2eStalledDownl1');
	const seconds = (Date.now() - started) / 1000;

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const [stalled, whole] = run!.data.resultData.runData.Download[0].data!.main[0];
	expect(stalled.json).toMatchObject({ error: 'The media download stalled: the file server sent nothing for 2 s' });
	expect(stalled.binary).toBeUndefined();
	expect(whole.json).toMatchObject({ minuteToken: STALL_SECOND, fileSize: 200_000 });
	// n8n's own start-up and shut-down take most of this; without the watch it never ends
	expect(seconds).toBeLessThan(60);
	console.log(`stalled download: execution ended after ${seconds.toFixed(1)} s (n8n execute, start to exit)`);
});

test('Get Transcript runs in real n8n', async () => {
	const { status, run, output } = await n8n.execute('e2eTranscript001');

	expect({ status, output: status === 0 && run ? '' : output }).toEqual({ status: 0, output: '' });
	const [item] = run!.data.resultData.runData['Feishu Minutes'][0].data!.main[0];
	expect(item.json).toMatchObject({ minuteToken: MINUTE, format: 'srt' });
	expect(String(item.json.transcript)).toContain('00:00:01,000 --> 00:00:04,000');
});

test(`User (OAuth2): the user's token is used; after it expires n8n ${N8N_1X ? '1.x fails with a clear message (it cannot refresh it for this node)' : 'refreshes it once and stores the new pair'}`, async () => {
	const first = await n8n.execute('e2eUserOAuth0001');
	expect({ status: first.status, output: first.status === 0 && first.run ? '' : first.output }).toEqual({ status: 0, output: '' });
	expect(feishu.userTokenRefreshes).toBe(0);

	feishu.revokeTokens();
	const afterExpiry = await n8n.execute('e2eUserOAuth0001');
	if (N8N_1X) {
		expect(afterExpiry.status).not.toBe(0);
		expect(afterExpiry.output).toContain('n8n did not refresh the Feishu user token: n8n 1.x cannot do it for this node');
		expect(feishu.userTokenRefreshes).toBe(0);
		await reconnectUser();
		expect((await n8n.execute('e2eUserOAuth0001')).status).toBe(0);
		return;
	}
	expect({ status: afterExpiry.status, output: afterExpiry.status === 0 ? '' : afterExpiry.output }).toEqual({ status: 0, output: '' });
	expect(feishu.userTokenRefreshes).toBe(1);

	// the rotated refresh token was stored: the next execution needs no refresh
	expect((await n8n.execute('e2eUserOAuth0001')).status).toBe(0);
	expect(feishu.userTokenRefreshes).toBe(1);
});

test('the token persists across executions and survives being revoked between two', async () => {
	expect((await n8n.execute('e2eUrlMode000001')).status).toBe(0);
	const tokensBefore = feishu.tokenRequests;
	expect(tokensBefore).toBeGreaterThan(0);

	// stored by n8n with the credential: the next execution fetches none
	expect((await n8n.execute('e2eUrlMode000001')).status).toBe(0);
	expect(feishu.tokenRequests).toBe(tokensBefore);

	feishu.revokeTokens();
	const afterRevoke = await n8n.execute('e2eUrlMode000001');
	expect(afterRevoke.status).toBe(0);
	expect(feishu.tokenRequests).toBe(tokensBefore + 1);

	// and the refreshed token was stored too
	expect((await n8n.execute('e2eUrlMode000001')).status).toBe(0);
	expect(feishu.tokenRequests).toBe(tokensBefore + 1);
});

test('the trigger example (new minute → download → save to disk) runs when published in n8n start', async () => {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'new-minutes-to-disk.workflow.json'), 'utf8')) as IWorkflowBase;
	workflow.id = 'e2eTriggerToDisk';
	const trigger = workflow.nodes.find((node) => node.type === `${PACKAGE_NAME}.feishuMinutesTrigger`)!;
	// count minutes from a minute ago, so the first poll already has one
	trigger.parameters = { ...trigger.parameters, startFrom: 'date', startTime: new Date(Date.now() - 60_000).toISOString() };
	const save = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile')!;
	save.parameters = { ...save.parameters, fileName: `=${n8n.filesFolder}/archive/{{ $binary.data.fileName }}` };
	mkdirSync(join(n8n.filesFolder, 'archive'), { recursive: true });
	await n8n.importJson('workflow', [workflow]);
	await n8n.publish('e2eTriggerToDisk');
	// the case before revoked every token, and n8n 1.x cannot refresh the user's
	if (N8N_1X) await reconnectUser();

	const fresh = 'obcnfreshrecording000001';
	feishu.addMinute({ token: fresh, title: '新会议 New meeting', size: 100_000, createTime: Date.now() - 1000 });
	const port = 15678 + Math.floor(Math.random() * 1000);
	const server = await n8n.start(port);
	try {
		const target = join(n8n.filesFolder, 'archive', '新会议 New meeting.mp4');
		const deadline = Date.now() + 150_000;
		while (!existsSync(target) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 1000));
		expect(existsSync(target) ? 'written' : `not written; log:\n${server.log().slice(-3000)}`).toBe('written');
		expect(readFileSync(target).equals(mediaBytes(fresh, 100_000))).toBe(true);
	} finally {
		server.process.kill('SIGTERM');
		await new Promise((done) => server.process.once('exit', done));
	}
});

test('n8n start loads the node and its credential, whose Test button checks App ID and Secret', async () => {
	const port = 15678 + Math.floor(Math.random() * 1000);
	const server = await n8n.start(port);
	const base = `http://127.0.0.1:${port}`;
	try {
		const headers = { cookie: await n8n.ownerCookie(base), 'content-type': 'application/json' };

		const nodeTypes = await (await fetch(`${base}/types/nodes.json`, { headers })).text();
		expect(nodeTypes).toContain(`"${PACKAGE_NAME}.feishuMinutes"`);
		expect(nodeTypes).toContain(`"${PACKAGE_NAME}.feishuMinutesTrigger"`);
		const credentialTypes = await (await fetch(`${base}/types/credentials.json`, { headers })).text();
		expect(credentialTypes).toContain('"feishuApi"');
		expect(credentialTypes).toContain('"feishuOAuth2Api"');
		// nothing in the start-up log about our package failing to load
		const startupProblems = server
			.log()
			.split('\n')
			.filter((line) => /feishu/i.test(line) && /error|fail|cannot|invalid/i.test(line));
		expect(startupProblems).toEqual([]);

		// tenantAccessToken: an edited credential still holds the token its old secret got
		const testCredential = async (appSecret: string, tenantAccessToken?: string) => {
			const response = await fetch(`${base}/rest/credentials/test`, {
				method: 'POST',
				headers,
				body: JSON.stringify({
					credentials: {
						...CREDENTIAL,
						type: 'feishuApi',
						data: { deployment: 'custom', baseUrl: feishu.apiUrl, appId: DEFAULT_APP.appId, appSecret, tenantAccessToken },
					},
				}),
			});
			const body = (await response.json()) as { data?: { status: string; message: string } };
			return body.data ?? { status: `HTTP ${response.status}`, message: JSON.stringify(body) };
		};
		expect(await testCredential(DEFAULT_APP.appSecret)).toMatchObject({ status: 'OK', message: expect.any(String) });
		const rejected = await testCredential('a-wrong-secret');
		expect(rejected.status).toBe('Error');
		expect(rejected.message).toContain('app secret invalid (code 10014)');
		const edited = await testCredential('a-wrong-secret', 't-stored-by-the-old-secret');
		// the same words as for a new credential (there they come from the token fetch, here from the Test rules)
		expect(edited).toMatchObject({ status: 'Error', message: expect.stringContaining('Feishu refused the App ID / App Secret: app secret invalid (code 10014)') });
	} finally {
		server.process.kill('SIGTERM');
		await new Promise((done) => server.process.once('exit', done));
	}
});
