/** The response classifier on its own: every kind of answer Feishu, a gateway or the network gives. */
import { classify, type Answer } from '../../nodes/FeishuMinutes/transport/classify';

const BASE = 'https://open.feishu.cn';
const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
	statusCode,
	headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
	body,
});
const verdictOf = (answer: Answer, returnsFile = false) => classify(answer, { returnsFile, baseUrl: BASE });

test.each([
	['code 0', json(200, { code: 0, data: {} }), 'success'],
	['code 0 as a JSON string body', { statusCode: 200, headers: {}, body: '{"code":0}' }, 'success'],
	['code 0 as a Buffer', { statusCode: 200, headers: {}, body: Buffer.from('{"code":0}') }, 'success'],
	['99991663 with HTTP 400', json(400, { code: 99991663, msg: 'invalid token' }), 'tokenInvalid'],
	['99991677 with HTTP 200', json(200, { code: 99991677, msg: 'token expire' }), 'tokenInvalid'],
	['a bare 401 page', { statusCode: 401, headers: {}, body: 'Unauthorized' }, 'tokenInvalid'],
	['99991400 with HTTP 400', json(400, { code: 99991400 }), 'rateLimited'],
	['HTTP 429 with any code', json(429, { code: 1 }), 'rateLimited'],
	['a bare 429 page', { statusCode: 429, headers: {}, body: '' }, 'rateLimited'],
	['2091003', json(400, { code: 2091003, msg: 'minute not ready' }), 'notReady'],
	['2091006', json(500, { code: 2091006 }), 'transient'],
	['an unknown code with HTTP 503', json(503, { code: 123 }), 'transient'],
	['a 502 gateway page', { statusCode: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' }, 'transient'],
	['a connection reset', { networkFailure: 'ECONNRESET' }, 'transient'],
	['2091005', json(403, { code: 2091005, msg: 'permission deny' }), 'final'],
	['an empty 200', { statusCode: 200, headers: {}, body: '' }, 'final'],
	['invalid JSON', { statusCode: 200, headers: {}, body: '{"code":0,' }, 'final'],
	['code as a string', json(200, { code: '0' }), 'final'],
] as Array<[string, Answer, string]>)('%s → %s', (_case, answer, kind) => {
	expect(verdictOf(answer).kind).toBe(kind);
});

test('a file endpoint: bytes with a 2xx are the file; JSON with a 2xx is still read for its code', () => {
	expect(verdictOf({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('1\n00:00') }, true).kind).toBe('success');
	expect(verdictOf(json(200, Buffer.from('{"code":2091002,"msg":"resource not found"}')), true)).toMatchObject({
		kind: 'final',
		failure: { feishuCode: 2091002, feishuMessage: 'resource not found' },
	});
	expect(verdictOf({ statusCode: 404, headers: {}, body: Buffer.from('nope') }, true).kind).toBe('final');
});

test('the failure carries the facts: status, Feishu code and message', () => {
	expect(verdictOf(json(403, { code: 2091005, msg: 'permission deny' }))).toEqual({
		kind: 'final',
		failure: { httpCode: 403, feishuCode: 2091005, feishuMessage: 'permission deny' },
	});
});

test('rate limiting: the wait comes from x-ogw-ratelimit-reset, capped at a minute; none without it', () => {
	expect(verdictOf(json(429, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '2' }))).toMatchObject({ retryAfterMs: 2000 });
	expect(verdictOf(json(429, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '3600' }))).toMatchObject({ retryAfterMs: 60_000 });
	expect(verdictOf(json(429, { code: 99991400 }, { 'x-ogw-ratelimit-reset': 'soon' }))).toMatchObject({ retryAfterMs: undefined });
});

test('a gateway page is quoted, squeezed and cut, never whole', () => {
	const page = `<html><body><h1>502 Bad Gateway</h1>${'x'.repeat(500)}</body></html>`;
	const verdict = verdictOf({ statusCode: 502, headers: {}, body: page });

	expect(verdict).toMatchObject({ failure: { message: 'Feishu answered HTTP 502 with something that is not a Feishu API response' } });
	const description = 'failure' in verdict ? String(verdict.failure.description) : '';
	expect(description).toContain('"502 Bad Gateway xxx');
	expect(description).not.toContain('<h1>');
	expect(description.length).toBeLessThan(400);
});

test('a network failure names the base URL and the cause', () => {
	expect(verdictOf({ networkFailure: 'ETIMEDOUT' })).toMatchObject({
		failure: { httpCode: 0, message: `Could not reach Feishu at ${BASE}`, description: expect.stringContaining('ETIMEDOUT') },
	});
});
