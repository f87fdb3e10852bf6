/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Parsing what users and servers hand us: the Minute field, Content-Disposition, Content-Type. */
import { fileNameFromDisposition, mediaFileName, mediaType, portableFileName } from '../../nodes/FeishuMinutes/helpers/fileName';
import { parseMinute } from '../../nodes/FeishuMinutes/helpers/minuteInput';

const TOKEN = 'obcnq3b9jl72l83w4f149w9c';

describe('parseMinute', () => {
	test.each([
		[TOKEN, TOKEN],
		[`  ${TOKEN}\n`, TOKEN],
		[`https://sample.feishu.cn/minutes/${TOKEN}`, TOKEN],
		[`https://acme.larksuite.com/minutes/${TOKEN}/?from=copylink#t=10`, TOKEN],
		[`http://minutes.example.internal/minutes/${TOKEN}`, TOKEN],
	])('%j → the token', (input, token) => {
		expect(parseMinute(input)).toEqual({ token });
	});

	test.each([
		['', /empty/],
		['obcnq3b9jl72', /neither a 24-character minute token nor a Minutes link/],
		[`${TOKEN}x`, /neither/],
		[`https://sample.feishu.cn/docx/${TOKEN}`, /not a Minutes link/],
		[`https://sample.feishu.cn/minutes/${TOKEN.slice(1)}`, /not a Minutes link/],
		['https://[bad', /not a valid URL/],
		[`../${TOKEN}`, /neither/],
	])('%j is refused', (input, problem) => {
		const parsed = parseMinute(input);
		expect('problem' in parsed && parsed.problem).toMatch(problem);
	});

	test('echoes at most 80 characters of the input, control characters escaped', () => {
		const parsed = parseMinute(`x\u0000${'y'.repeat(200)}`);
		const problem = 'problem' in parsed ? parsed.problem : '';
		expect(problem).toContain('\\u0000');
		expect(problem.length).toBeLessThan(200);
	});
});

describe('file names', () => {
	test('filename* wins over filename, in either order', () => {
		expect(fileNameFromDisposition(`attachment; filename="a.mp4"; filename*=UTF-8''%E5%91%A8.mp4`)).toBe('周.mp4');
		expect(fileNameFromDisposition(`attachment; filename*=UTF-8''%E5%91%A8.mp4; filename="a.mp4"`)).toBe('周.mp4');
	});

	test('no path, no control characters, no dot names', () => {
		expect(fileNameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
		expect(fileNameFromDisposition('attachment; filename="a\u0007b.mp4"')).toBe('ab.mp4');
		expect(fileNameFromDisposition('attachment; filename=".."')).toBeUndefined();
		expect(fileNameFromDisposition(undefined)).toBeUndefined();
	});

	test('a media extension is kept; otherwise the Content-Type\'s is added', () => {
		expect(mediaFileName('attachment; filename="call.m4a"', 'video/mp4', TOKEN)).toBe('call.m4a');
		expect(mediaFileName('attachment; filename="Roadmap v1.2"', 'video/mp4', TOKEN)).toBe('Roadmap v1.2.mp4');
		expect(mediaFileName(undefined, 'audio/mpeg', TOKEN)).toBe(`${TOKEN}.mp3`);
		expect(mediaFileName(undefined, 'application/x-unknown', TOKEN)).toBe(`${TOKEN}.mp4`);
	});

	test('the media type is the bare type/subtype, lower case, or video/mp4', () => {
		expect(mediaType('Audio/MPEG; charset=binary')).toBe('audio/mpeg');
		expect(mediaType(['video/webm'])).toBe('video/webm');
		expect(mediaType('not a type')).toBe('video/mp4');
		expect(mediaType(undefined)).toBe('video/mp4');
	});
});

describe('names every file system takes', () => {
	test.each([
		['bidi override', 'report\u202egpj.mp4', 'reportgpj.mp4'],
		['zero-width and isolates', 'a\u200bb\u2066c.mp4', 'abc.mp4'],
		['Windows device name', 'CON.mp4', '_CON.mp4'],
		['Windows device name, no extension', 'aux', '_aux.mp4'],
		['characters Windows refuses', 'a:b*c?.mp4', 'a_b_c_.mp4'],
		['trailing dots and spaces', 'weekly. . .', 'weekly. . ..mp4'],
	])('%s', (_case, name, expected) => {
		expect(mediaFileName(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`, 'video/mp4', TOKEN)).toBe(expected);
	});

	test('at most 200 UTF-8 bytes, the extension kept, no character cut in half', () => {
		const long = mediaFileName(`attachment; filename*=UTF-8''${encodeURIComponent(`${'周'.repeat(3000)}.m4a`)}`, 'audio/mp4', TOKEN);
		expect(Buffer.byteLength(long)).toBeLessThanOrEqual(200);
		expect(long.endsWith('.m4a')).toBe(true);
		expect(long).toMatch(/^周+\.m4a$/);
		expect(portableFileName(`${'x'.repeat(10_000)}.mp4`)).toHaveLength(200);
	});
});
