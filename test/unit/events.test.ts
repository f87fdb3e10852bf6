/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Feishu's event protocol, both sides: the simulator encrypts and signs as Feishu does, the node reads. */
import { readDelivery } from '../../nodes/FeishuMinutes/helpers/events';
import { delivery } from '../simulator/events';

const KEY = 'encrypt-key-from-the-console';
const TOKEN = 'verification-token-from-the-console';
const NOW = Date.now();

const event = (token = TOKEN) => ({
	schema: '2.0',
	header: { event_id: 'ev-1', event_type: 'minutes.minute.generated_v1', create_time: String(NOW), token, app_id: 'cli_x', tenant_key: 't' },
	event: { minute_token: 'obcnq3b9jl72l83w4f149w9c', minute_source: { source_type: 'meeting' } },
});

function read(payload: object, secrets: { encryptKey?: string; verificationToken?: string }, options: { timestamp?: number; sign?: boolean; credential?: typeof secrets } = {}) {
	const { body, headers } = delivery(payload, secrets, options.timestamp, options.sign ?? true);
	return readDelivery({ rawBody: Buffer.from(body), headers, ...(options.credential ?? secrets), now: NOW });
}

test('the url_verification challenge, plain and encrypted, is answered with its challenge', () => {
	const challenge = { challenge: 'abc123', token: TOKEN, type: 'url_verification' };
	expect(read(challenge, { verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'abc123' });
	expect(read(challenge, { encryptKey: KEY, verificationToken: TOKEN }, { sign: false })).toEqual({ kind: 'challenge', challenge: 'abc123' });
	expect(read({ ...challenge, token: 'other' }, { verificationToken: TOKEN })).toMatchObject({ kind: 'refused', status: 403 });
});

test('an encrypted, signed event is read: ID, type and the minute token', () => {
	expect(read(event(), { encryptKey: KEY, verificationToken: TOKEN })).toMatchObject({
		kind: 'event',
		eventId: 'ev-1',
		eventType: 'minutes.minute.generated_v1',
		event: { minute_token: 'obcnq3b9jl72l83w4f149w9c' },
	});
	expect(read(event(), { verificationToken: TOKEN })).toMatchObject({ kind: 'event', eventId: 'ev-1' });
});

test.each([
	['no signature', { sign: false }, 401],
	['a signed timestamp 9 hours old (a replay)', { timestamp: Math.floor(NOW / 1000) - 9 * 3600 }, 401],
	['a signed timestamp 16 minutes ahead (15 are tolerated)', { timestamp: Math.floor(NOW / 1000) + 960 }, 401],
	// the signature, checked before anything is decrypted, is made with the Encrypt Key too
	['another Encrypt Key', { credential: { encryptKey: 'another-key', verificationToken: TOKEN } }, 401],
	['a credential with neither secret', { credential: {} }, 403],
])('refused: %s', (_case, options, status) => {
	expect(read(event(), { encryptKey: KEY, verificationToken: TOKEN }, options)).toMatchObject({ kind: 'refused', status });
});

test('refused: a forged signature, another Verification Token, garbage, a plain body where one must be encrypted', () => {
	const { body, headers } = delivery(event(), { encryptKey: KEY });
	const forged = { ...headers, 'x-lark-signature': headers['x-lark-signature'].replace(/^./, (c) => (c === '0' ? '1' : '0')) };
	expect(readDelivery({ rawBody: Buffer.from(body), headers: forged, encryptKey: KEY, now: NOW })).toMatchObject({ status: 401 });
	// the signature covers the raw bytes: the same JSON re-spaced no longer matches
	const respaced = JSON.stringify(JSON.parse(body), null, 1);
	expect(readDelivery({ rawBody: Buffer.from(respaced), headers, encryptKey: KEY, now: NOW })).toMatchObject({ status: 401 });

	expect(read(event('stolen'), { verificationToken: TOKEN })).toMatchObject({ status: 403 });
	expect(readDelivery({ rawBody: Buffer.from('{"encrypt":"bm90IGVuY3J5cHRlZA=="}'), headers: {}, encryptKey: KEY, now: NOW })).toMatchObject({ status: 400 });
	expect(readDelivery({ rawBody: Buffer.from('not json'), headers: {}, verificationToken: TOKEN, now: NOW })).toMatchObject({ status: 400 });
	expect(read(event(), { verificationToken: TOKEN }, { credential: { encryptKey: KEY, verificationToken: TOKEN } })).toMatchObject({ status: 400 });
});
