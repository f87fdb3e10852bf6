/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Nothing hangs, nothing lies: each row a way a file server, Feishu or an expression can misbehave,
 * the error the item gets, and that the execution ends within its deadline.
 */
import { gzipSync } from 'node:zlib';

import { DEFAULT_APP, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, connectUser, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
});
afterEach(async () => await feishu.stop());

const SECOND = 'obcnsecondminute00000002';

/** Two items, the first meeting the fault: its error, and that the second still got its file. */
async function downloadTwo(options: Record<string, unknown> = {}) {
	feishu.addMinute({ token: SECOND, title: 'Second', size: 32 * 1024 });
	const started = Date.now();
	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', output: 'file', options: { parallelDownloads: 1, ...options } },
		{ items: itemsWithMinutes([READY_TOKEN, SECOND]), continueOnFail: true },
	);
	const [first, second] = result.output(NODE_NAME);
	expect(second.binary?.data.fileName).toBe('Second.mp4');
	expect(first.binary).toBeUndefined();
	return { error: String(first.json.error), description: String(first.json.description), seconds: (Date.now() - started) / 1000 };
}

describe('downloads end', () => {
	test('headers and 1 KB, then silence (Max Retries 0): the item fails after Timeout, its slot goes to the next item', async () => {
		feishu.injectDownloadFault({ stallAfterBytes: 1024 });
		const { error, description, seconds } = await downloadTwo({ timeoutSeconds: 1, maxRetries: 0 });

		expect(error).toBe('The media download stalled: the file server sent nothing for 1 s');
		expect(description).toContain('Nothing partial was kept');
		expect(seconds).toBeLessThan(6);
	});

	test.each([
		['stalls', { stallAfterBytes: 1024 }],
		['breaks off', { cutAfterBytes: 1024 }],
		['answers 503', { status: 503, body: 'Service Unavailable' }],
		['answers 403 (expired URL)', { status: 403, body: 'expired' }],
	])('a download that %s once is fetched again with a fresh URL: the item gets its whole file', async (_case, fault) => {
		feishu.injectDownloadFault(fault);
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file', options: { timeoutSeconds: 1 } }, { continueOnFail: true });

		const [item] = result.output(NODE_NAME);
		expect(item.json.error).toBeUndefined();
		expect(item.binary?.data.fileSize).toBeDefined();
		expect(item.json.fileSize).toBe(256 * 1024);
		// a second download URL for the second attempt
		expect(feishu.requestsTo('/media')).toHaveLength(2);
		expect(feishu.requests.filter((request) => request.server === 'file')).toHaveLength(2);
	});

	test('a server trickling 16 bytes every 200 ms is cut off at the Download Deadline', async () => {
		feishu.injectDownloadFault({ trickleEveryMs: 200 });
		const { error, seconds } = await downloadTwo({ timeoutSeconds: 1, downloadDeadlineMinutes: 0.05 });

		expect(error).toBe('The media download did not finish within 0 min');
		expect(seconds).toBeGreaterThanOrEqual(3);
		expect(seconds).toBeLessThan(8);
	});
});

describe('options set by expression are checked before any request', () => {
	test.each([
		['parallelDownloads', '={{ 0 }}', 'The "Max Parallel Downloads" option must be a whole number from 1 to 16'],
		['requestsPerSecond', '={{ 0 }}', 'The "Requests Per Second" option must be a number from 0.1 to 1000'],
		['requestsPerSecond', '={{ -1 }}', 'The "Requests Per Second" option must be a number from 0.1 to 1000'],
		['requestsPerSecond', '={{ "abc" }}', 'The "Requests Per Second" option must be a number from 0.1 to 1000'],
		['timeoutSeconds', '={{ 0 }}', 'The "Timeout (Seconds)" option must be a whole number from 1 to 3600'],
		['timeoutSeconds', '={{ -1 }}', 'The "Timeout (Seconds)" option must be a whole number from 1 to 3600'],
		['maxRetries', '={{ 1e9 }}', 'The "Max Retries" option must be a whole number from 0 to 10'],
		['readyTimeoutMinutes', '={{ -1 }}', 'The "Ready Timeout (Minutes)" option must be a number from 0.01 to 1440'],
		['downloadDeadlineMinutes', '={{ 0 }}', 'The "Download Deadline (Minutes)" option must be a number from 0.05 to 1440'],
	])('%s = %s', async (option, value, message) => {
		// Ready Timeout only applies with Wait Until Ready on (n8n drops hidden options)
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file', options: { waitUntilReady: true, [option]: value } });

		expect(result.error?.message).toBe(message);
		expect(result.error?.description).toContain('fix the expression');
		expect(feishu.requests).toHaveLength(0);
	});
});

describe('only a recording is saved as one', () => {
	test.each([
		['a 302 without Location', { status: 302, body: '<html>moved</html>', headers: { 'Content-Type': 'text/html' } }, /redirected somewhere.*/, /without a usable Location/],
		['a redirect to a non-URL', { status: 302, headers: { Location: 'http://[bad' } }, /redirected somewhere/, /without a usable Location \("http:\/\/\[bad"\)/],
		['a 204', { status: 204 }, /sent no recording \(HTTP 204/, /Nothing was saved/],
		['an empty 200', { status: 200, headers: { 'Content-Type': 'video/mp4' } }, /sent no recording \(HTTP 200, empty body\)/, /Nothing was saved/],
		['an HTML page with 200', { status: 200, body: '<html>Log in</html>', headers: { 'Content-Type': 'text/html; charset=utf-8' } }, /sent text\/html, not a recording/, /login page/],
	])('%s', async (_case, fault, message, description) => {
		feishu.injectDownloadFault(fault);
		const result = await downloadTwo();

		expect(result.error).toMatch(message);
		expect(result.description).toMatch(description);
	});

	test('a gzip body that would inflate 1,000-fold is stopped at its declared size (n8n inflates it and keeps the compressed Content-Length)', async () => {
		const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
		feishu.injectDownloadFault({ status: 200, body: bomb, headers: { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip' } });
		const { error } = await downloadTwo();

		expect(bomb.length).toBeLessThan(100 * 1024);
		expect(error).toBe('The file server sent more than the size it declared');
	});

	test('a recording larger than the in-memory binary mode can hold fails before its body is read', async () => {
		feishu.addMinute({ token: 'hugehugehugehugehugehuge', size: 400 * 1024 * 1024 });
		const result = await runMinutes(store, { minute: 'hugehugehugehugehugehuge', output: 'file' });

		expect(result.error?.message).toBe('The recording (400 MiB) is too large for n8n\'s in-memory binary mode');
		expect(result.error?.description).toContain('N8N_DEFAULT_BINARY_DATA_MODE=filesystem');
	});
});

describe('errors tell the truth', () => {
	test('a gateway page that echoes the request never puts a token or the secret in the description', async () => {
		const echo = `<html>502 Bad Gateway. Request: Authorization: Bearer t-g1a2b3c4d5e6f7a8b9c0 app_secret=${DEFAULT_APP.appSecret} u-a1b2c3d4e5f6a7b8c9</html>`;
		feishu.injectFault({ pathIncludes: '/media', status: 502, body: echo });
		const result = await runMinutes(store, { minute: READY_TOKEN, options: { maxRetries: 0 } });

		const description = String(result.error?.description);
		expect(description).toContain('502 Bad Gateway');
		for (const secret of ['t-g1a2b3c4d5e6f7a8b9c0', 'u-a1b2c3d4e5f6a7b8c9', DEFAULT_APP.appSecret]) expect(description).not.toContain(secret);
		expect(description).toContain('[hidden]');
	});

	test('a token endpoint answering code 0 without a token is said so, not "Feishu refused the App Secret"', async () => {
		for (let i = 0; i < 3; i++) {
			feishu.injectFault({ pathIncludes: '/tenant_access_token/', status: 200, body: '{"code":0,"msg":"ok"}', headers: { 'Content-Type': 'application/json' } });
		}
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error?.message).toContain('the token endpoint answered code 0 without a tenant_access_token');
	});

	test.each([
		['a number', '={{ 12345 }}', 'The Minute field holds a number, not a Minutes link or token'],
		['an object', '={{ { token: "x" } }}', 'The Minute field holds an object, not a Minutes link or token'],
		['a list', '={{ ["x"] }}', 'The Minute field holds a list, not a Minutes link or token'],
	])('a Minute that is %s', async (_case, minute, message) => {
		const result = await runMinutes(store, { minute });

		expect(result.error?.message).toBe(message);
		expect(feishu.requests).toHaveLength(0);
	});

	test('a refresh endpoint failing with 500 is named as such, not as the API answering 500', async () => {
		await feishu.stop();
		({ feishu, store } = await startFeishu({ tokenErrorStatus: 401 }));
		connectUser(feishu, store);
		feishu.revokeTokens();
		const serverError = JSON.stringify({ code: 20050, error: 'server_error', error_description: 'An unexpected server error occurred.' });
		for (let i = 0; i < 4; i++) {
			feishu.injectFault({ pathIncludes: '/oauth/token', status: 500, body: serverError, headers: { 'Content-Type': 'application/json' } });
		}
		const result = await runMinutes(store, { authentication: 'userOAuth2', minute: READY_TOKEN, options: { maxRetries: 1 } });

		expect(result.error?.message).toBe('Feishu\'s token endpoint failed (HTTP 500) while refreshing the user token');
		expect(result.error?.description).toContain('on Feishu\'s side');
	});
});
