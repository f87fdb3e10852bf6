/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
import { mediaBytes, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
});
afterEach(async () => await feishu.stop());

describe('Get Media, URL output', () => {
	test('outputs the token, the download URL and when it expires (1 day)', async () => {
		const before = Date.now();
		const result = await runMinutes(store, { minute: READY_TOKEN });

		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json.minuteToken).toBe(READY_TOKEN);
		expect(String(item.json.downloadUrl)).toMatch(new RegExp(`^${feishu.fileUrl}/space/api/box/stream/download/authcode/\\?code=`));
		const expiresAt = Date.parse(String(item.json.expiresAt));
		expect(expiresAt).toBeGreaterThanOrEqual(before + 24 * 3600_000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
		expect(item.binary).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
		// URL mode never touches the file server
		expect(feishu.requests.filter((request) => request.server === 'file')).toHaveLength(0);
	});

	test('accepts Minutes links (Feishu and Lark, query string, trailing slash) as well as tokens', async () => {
		const inputs = [
			`https://sample.feishu.cn/minutes/${READY_TOKEN}`,
			`https://acme.feishu.cn/minutes/${READY_TOKEN}?from=from_copylink`,
			`https://acme.larksuite.com/minutes/${READY_TOKEN}/`,
			`  ${READY_TOKEN}  `,
		];
		const result = await runMinutes(store, { minute: '={{ $json.minute }}' }, { items: itemsWithMinutes(inputs) });

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).map((item) => item.json.minuteToken)).toEqual(inputs.map(() => READY_TOKEN));
		expect(feishu.requestsTo('/media').map((request) => request.path)).toEqual(
			inputs.map(() => `/open-apis/minutes/v1/minutes/${READY_TOKEN}/media`),
		);
	});

	test.each([
		['an empty field (from an expression)', '={{ "" }}', 'The Minute field is empty'],
		['a token of the wrong length', 'obcnq3b9jl72', 'neither a 24-character minute token nor a Minutes link'],
		['a link to another page', 'https://sample.feishu.cn/docx/doxcnAbCdEfGhIjKlMnOpQrStUv', 'not a Minutes link'],
		['a token with a path in it', '../../auth/v3/app_access', 'neither a 24-character minute token'],
	])('rejects %s before any request, naming the field and the expected form', async (_case, minute, problem) => {
		const result = await runMinutes(store, { minute });

		expect(result.error?.message).toContain(problem);
		expect(result.error?.description).toContain('24-character minute token');
		expect(result.error?.description).toContain('https://sample.feishu.cn/minutes/');
		expect(feishu.requests).toHaveLength(0);
	});
});

describe('Get Media, binary output', () => {
	test('streams the file into binary data with its name, MIME type and size', async () => {
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });

		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		const binary = item.binary!.data;
		expect(Buffer.from(binary.data, 'base64').equals(mediaBytes(READY_TOKEN, 256 * 1024))).toBe(true);
		expect(binary.fileName).toBe('周会 Weekly sync.mp4');
		expect(binary.mimeType).toBe('video/mp4');
		expect(item.json).toMatchObject({
			minuteToken: READY_TOKEN,
			fileName: '周会 Weekly sync.mp4',
			mimeType: 'video/mp4',
			fileSize: 256 * 1024,
		});
	});

	test('puts the file in the binary field the user names', async () => {
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file', binaryPropertyName: 'recording' });

		const [item] = result.output(NODE_NAME);
		expect(Object.keys(item.binary ?? {})).toEqual(['recording']);
	});

	test('without Content-Disposition the file is named after the token, with the extension of its type', async () => {
		feishu.addMinute({ token: 'aaaaaaaaaaaaaaaaaaaaaaaa', contentDisposition: null, contentType: 'audio/mpeg', size: 1000 });
		feishu.addMinute({ token: 'bbbbbbbbbbbbbbbbbbbbbbbb', contentDisposition: null, contentType: 'application/octet-stream', size: 1000 });
		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', output: 'file' },
			{ items: itemsWithMinutes(['aaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbb']) },
		);

		const [audio, unknown] = result.output(NODE_NAME);
		expect(audio.binary!.data).toMatchObject({ fileName: 'aaaaaaaaaaaaaaaaaaaaaaaa.mp3', mimeType: 'audio/mpeg' });
		expect(unknown.binary!.data).toMatchObject({
			fileName: 'bbbbbbbbbbbbbbbbbbbbbbbb.mp4',
			mimeType: 'application/octet-stream',
		});
	});

	const tokenFor = (i: number) => String(i).padStart(24, 'c');

	test('names the file from Content-Disposition: filename* first, no path, the extension its type implies', async () => {
		// [Content-Disposition, Content-Type, the file name the user gets]
		const cases: Array<[string, string, string]> = [
			[`attachment; filename="fallback.mp4"; filename*=UTF-8''%E5%91%A8%E4%BC%9A.mp4`, 'video/mp4', '周会.mp4'],
			[`attachment; filename*=UTF-8''%E5%91%A8%E4%BC%9A.mp4; filename="fallback.mp4"`, 'video/mp4', '周会.mp4'],
			[`attachment; filename*=ISO-8859-1''caf%E9.m4a`, 'audio/mp4', 'café.m4a'],
			['attachment; filename="weekly sync.mp4"', 'video/mp4', 'weekly sync.mp4'],
			// quotes are unescaped, then replaced: Windows refuses " in file names
			['attachment; filename="\\"quoted\\" name.mp4"', 'video/mp4', '_quoted_ name.mp4'],
			['attachment; filename=bare.m4a', 'audio/mp4', 'bare.m4a'],
			['attachment; filename="Roadmap v1.2"', 'video/mp4', 'Roadmap v1.2.mp4'],
			['attachment; filename="interview"', 'audio/mpeg', 'interview.mp3'],
			['attachment; filename="call.m4a"', 'video/mp4', 'call.m4a'],
			['attachment; filename="../../../etc/passwd"', 'video/mp4', 'passwd.mp4'],
			['attachment; filename="C:\\\\Users\\\\me\\\\x.mp4"', 'video/mp4', 'x.mp4'],
			[`attachment; filename*=UTF-8''..%2F..%2Fevil.mp4`, 'video/mp4', 'evil.mp4'],
			['attachment; filename=".."', 'video/mp4', `${tokenFor(12)}.mp4`],
		];
		const tokens = cases.map((_, i) => tokenFor(i));
		cases.forEach(([contentDisposition, contentType], i) =>
			feishu.addMinute({ token: tokens[i], contentDisposition, contentType, size: 100 }),
		);
		const result = await runMinutes(store, { minute: '={{ $json.minute }}', output: 'file' }, { items: itemsWithMinutes(tokens) });

		expect(result.error).toBeUndefined();
		const names = result.output(NODE_NAME).map((item) => item.binary!.data.fileName);
		expect(names).toEqual(cases.map(([, , expected]) => expected));
		for (const name of names) expect(name).not.toMatch(/[\\/]/);
	});

	test('never sends the Authorization header to the download host', async () => {
		const result = await runMinutes(
			store,
			{ minute: READY_TOKEN, output: 'file' },
			{ items: itemsWithMinutes([READY_TOKEN, READY_TOKEN]) },
		);

		expect(result.error).toBeUndefined();
		const downloads = feishu.requests.filter((request) => request.server === 'file');
		expect(downloads).toHaveLength(2);
		expect(downloads.map((request) => request.authorization)).toEqual([undefined, undefined]);
		// while the API requests did carry it
		expect(feishu.requestsTo('/media').every((request) => request.authorization?.startsWith('Bearer t-'))).toBe(true);
	});

	test('follows up to 5 redirects on the download, without ever sending the Authorization header', async () => {
		await feishu.stop();
		({ feishu, store } = await startFeishu({ downloadRedirects: 5 }));
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json.fileSize).toBe(256 * 1024);
		const hops = feishu.requests.filter((request) => request.server === 'file');
		expect(hops).toHaveLength(6);
		expect(hops.every((request) => request.authorization === undefined)).toBe(true);
	});

	test('more than 5 redirects is a clear error', async () => {
		await feishu.stop();
		({ feishu, store } = await startFeishu({ downloadRedirects: 6 }));
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });

		expect(result.error?.message).toBe('The media download redirected somewhere this node will not follow');
		expect(result.error?.description).toContain('More than 5 redirects');
	});

	test('an expired download URL is a clear error that says to fetch a fresh one', async () => {
		feishu.refuseDownloads(403);
		const result = await runMinutes(store, { minute: READY_TOKEN, output: 'file' });

		expect(result.error?.message).toBe('The media download was refused (HTTP 403)');
		expect(result.error?.description).toMatch(/expired.*Run the node again to get a fresh URL/);
	});
});
