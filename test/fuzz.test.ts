/**
 * Hostile input in the Minute field: every generated string is either rejected with a validation
 * error before any request, or becomes a plain 24-character token in the one media path. No input
 * can change which endpoint or host is called.
 */
import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';
import { parseMinute } from '../nodes/FeishuMinutes/helpers/minuteInput';

/** Small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const PIECES = [
	'../', '..%2F', '%2F', '%2e%2e/', '?', '#', '&', '=', '/', '\\', '%00', '\u0000', '\n', '\r\n', '\t', ' ',
	'https://', 'http://', 'javascript:', 'file:///etc/passwd', 'ftp://x/', '//evil.example/', '@evil.example',
	'minutes/', '/minutes/', 'open-apis/auth/v3/', '/media', '?code=', 'feishu.cn', 'larksuite.com', 'evil.example',
	'obcn', 'о', 'ｏ', '０', '𝟘', '妙记', '😀', '\u202e', '\ufeff', '{{ $env }}', '${x}', '%', '%%', '+', ';',
];

function generate(count: number): string[] {
	const next = random(20261124);
	const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
	const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
	const token = (length = 24) => Array.from({ length }, () => pick([...alnum])).join('');
	const inputs: string[] = [
		'x'.repeat(100_000),
		`https://sample.feishu.cn/minutes/${READY_TOKEN}${'/'.repeat(5000)}`,
		`https://sample.feishu.cn/minutes/${'a'.repeat(24)}/../../open-apis/auth/v3/tenant_access_token/internal`,
		`https://sample.feishu.cn/minutes/..%2F..%2Fauth%2F${'a'.repeat(12)}`,
		`https://evil.example/minutes/${READY_TOKEN}`,
		`https://sample.feishu.cn/minutes/${READY_TOKEN}#/../../x`,
		`https://sample.feishu.cn@evil.example/minutes/${READY_TOKEN}`,
	];
	while (inputs.length < count) {
		const shape = next();
		if (shape < 0.25) {
			inputs.push(Array.from({ length: 1 + Math.floor(next() * 8) }, () => (next() < 0.5 ? pick(PIECES) : token(Math.floor(next() * 30)))).join(''));
		} else if (shape < 0.45) {
			const parts = [pick(['https://', 'http://', '']), pick(['acme.feishu.cn', 'x.larksuite.com', 'evil.example', '']), pick(['/minutes/', '/docx/', '/minutes/me/', '/'])];
			inputs.push(`${parts.join('')}${token(next() < 0.6 ? 24 : Math.floor(next() * 40))}${next() < 0.5 ? pick(PIECES) : ''}`);
		} else if (shape < 0.6) {
			const raw = token();
			const at = Math.floor(next() * 24);
			inputs.push(`${raw.slice(0, at)}${pick(PIECES)}${raw.slice(at + 1)}`);
		} else if (shape < 0.75) {
			inputs.push(Array.from({ length: Math.floor(next() * 40) }, () => String.fromCodePoint(Math.floor(next() * 0x2ffff))).join(''));
		} else if (shape < 0.85) {
			inputs.push(`${pick(PIECES)}${token()}${pick(PIECES)}`);
		} else {
			// valid tokens and links: these must get through, encoded as plain tokens
			inputs.push(next() < 0.5 ? token() : `https://t${Math.floor(next() * 99)}.feishu.cn/minutes/${token()}?from=${pick(PIECES)}`);
		}
	}
	return inputs;
}

const MEDIA_PATH = /^\/open-apis\/minutes\/v1\/minutes\/[A-Za-z0-9]{24}\/media$/;

test('parseMinute: 20,000 generated strings give either a problem or a 24-character alphanumeric token', () => {
	for (const input of generate(20_000)) {
		const parsed = parseMinute(input);
		if ('token' in parsed) expect(parsed.token).toMatch(/^[A-Za-z0-9]{24}$/);
		else expect(parsed.problem).toMatch(/Minute field/);
	}
});

describe('through the node', () => {
	let feishu: FeishuSimulator;
	let store: CredentialStore;

	beforeAll(async () => {
		// 1,200 inputs at 1,000 requests/s: about input handling, not pacing
		({ feishu, store } = await startFeishu({ relax: ['rateLimits'] }));
	});
	afterAll(async () => await feishu.stop());

	test('1,200 hostile inputs: rejected before any request, or sent as a plain token to the one media path', async () => {
		const inputs = generate(1200);
		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', options: { requestsPerSecond: 1000, maxRetries: 0 } },
			{ items: itemsWithMinutes(inputs), continueOnFail: true },
		);

		expect(result.error).toBeUndefined();
		const output = result.output(NODE_NAME);
		expect(output).toHaveLength(inputs.length);
		const sent: string[] = [];
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			const validation = typeof item.json.error === 'string' && /Minute field/.test(item.json.error);
			if (validation) {
				expect(item.json.description).toContain('24-character minute token');
				expect(String(item.json.error).length).toBeLessThan(300);
			} else {
				// a request was made: unknown tokens get Feishu's 2091002, the ready one a URL
				expect(item.json.feishuCode === 2091002 || typeof item.json.downloadUrl === 'string').toBe(true);
				const parsed = parseMinute(inputs[i]);
				expect('token' in parsed).toBe(true);
				if ('token' in parsed) sent.push(parsed.token);
			}
		});
		expect(sent.length).toBeGreaterThan(50);
		expect(output.length - sent.length).toBeGreaterThan(500);

		const apiRequests = feishu.requests.filter((request) => request.server === 'api' && !request.path.includes('tenant_access_token'));
		expect(apiRequests.every((request) => request.method === 'GET' && MEDIA_PATH.test(request.path))).toBe(true);
		expect(apiRequests.map((request) => request.path.split('/')[5]).sort()).toEqual([...sent].sort());
		expect(feishu.requests.filter((request) => request.server === 'file')).toHaveLength(0);
		expect(feishu.tokenRequests).toBe(1);
	});
});
