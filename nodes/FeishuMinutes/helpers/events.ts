import { createDecipheriv, createHash, timingSafeEqual } from 'crypto';

/**
 * An event created (or signed) longer ago than this is refused as a replay: Feishu retries an unanswered
 * event for about 7 hours (15 s, 5 min, 1 h, 6 h), and this leaves room for n8n's clock running ahead.
 * The trigger remembers event IDs for longer than this, so a copy of an accepted event is always known.
 */
export const EVENT_MAX_AGE_MS = 8 * 3600 * 1000;

/** …or one created or signed further ahead of this clock than this: n8n's clock behind Feishu's, as the polling Trigger tolerates. */
const EVENT_MAX_LEAD_MS = 15 * 60 * 1000;

/** A body larger than this is refused before it is parsed: Feishu's events are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** With an Encrypt Key, only the url_verification challenge comes unsigned, and it is a few hundred bytes. */
const MAX_UNSIGNED_BYTES = 4096;

/** What one HTTP delivery to the Request URL is. */
export type Delivery =
	| { kind: 'challenge'; challenge: string }
	| {
			kind: 'event';
			eventId: string;
			eventType: string;
			createTime: string;
			/** `header.create_time` as a number (ms, Feishu's clock). */
			createdAt: number;
			event: Record<string, unknown>;
	  }
	| { kind: 'refused'; status: 400 | 401 | 403 | 413; reason: string };

export interface DeliveryInput {
	rawBody: Buffer;
	headers: Record<string, string | string[] | undefined>;
	/** From the credential: with it, bodies must be encrypted and events signed. */
	encryptKey?: string;
	verificationToken?: string;
	now: number;
}

type Refusal = Extract<Delivery, { kind: 'refused' }>;

const refuse = (status: Refusal['status'], reason: string): Refusal => ({ kind: 'refused', status, reason });

/**
 * Reads a delivery as Feishu's event protocol has it (schema 2.0): with an Encrypt Key, the body is
 * `{"encrypt": base64(IV ‖ AES-256-CBC(json))}` under key SHA-256(Encrypt Key), and an event carries
 * X-Lark-Signature = hex SHA-256(timestamp ‖ nonce ‖ Encrypt Key ‖ raw body); the Verification Token
 * is `header.token` (events) or `token` (the url_verification challenge). Cheap checks (size, signature,
 * timestamp) come before any decryption. Never throws: what cannot be trusted is refused with the status to answer.
 */
export function readDelivery(input: DeliveryInput): Delivery {
	try {
		return read(input);
	} catch {
		return refuse(400, 'the delivery could not be read');
	}
}

function read({ rawBody, headers, encryptKey, verificationToken, now }: DeliveryInput): Delivery {
	if (!encryptKey && !verificationToken) {
		return refuse(403, 'the credential has neither an Encrypt Key nor a Verification Token, so no delivery can be trusted');
	}
	if (rawBody.length > MAX_BODY_BYTES) return refuse(413, `the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB (Feishu's events are a few KB)`);

	let signed = false;
	if (encryptKey) {
		const timestamp = header(headers, 'x-lark-request-timestamp');
		const nonce = header(headers, 'x-lark-request-nonce');
		const signature = header(headers, 'x-lark-signature');
		if (timestamp && nonce && signature) {
			const expected = createHash('sha256').update(timestamp + nonce + encryptKey).update(rawBody).digest('hex');
			if (!same(signature, expected)) return refuse(401, 'the signature does not match');
			const stale = tooOldOrAhead(/^\d{1,12}$/.test(timestamp) ? Number(timestamp) * 1000 : NaN, now);
			if (stale) return refuse(401, `the signed timestamp ${stale}`);
			signed = true;
		} else if (rawBody.length > MAX_UNSIGNED_BYTES) {
			return refuse(401, 'the event is not signed');
		}
	}

	const outer = parseObject(rawBody.toString('utf8'));
	if (!outer) return refuse(400, 'the body is not JSON');
	let payload = outer;
	if (typeof outer.encrypt === 'string') {
		if (!encryptKey) return refuse(400, 'the body is encrypted, but the credential has no Encrypt Key');
		const inner = parseObject(decrypt(outer.encrypt, encryptKey) ?? '');
		if (!inner) return refuse(400, 'the body does not decrypt with the Encrypt Key');
		payload = inner;
	} else if (encryptKey) {
		return refuse(400, 'the body is not encrypted, though the credential has an Encrypt Key');
	}

	if (payload.type === 'url_verification') {
		if (verificationToken && !sameToken(payload.token, verificationToken)) return refuse(403, 'the challenge carries another Verification Token');
		if (typeof payload.challenge !== 'string') return refuse(400, 'the challenge has no challenge string');
		return { kind: 'challenge', challenge: payload.challenge };
	}
	if (encryptKey && !signed) return refuse(401, 'the event is not signed');

	const head = isObject(payload.header) ? payload.header : {};
	if (verificationToken && !sameToken(head.token ?? payload.token, verificationToken)) {
		return refuse(403, 'the event carries another Verification Token');
	}
	return eventOf(payload, now);
}

/**
 * An event that came over the app's own long connection: plain JSON, neither signed nor encrypted (Feishu
 * authenticated the connection itself), so only its shape, its age and its app are checked.
 */
export function readConnectionEvent(bytes: Uint8Array, appId: string, now: number): Delivery {
	if (bytes.length > MAX_BODY_BYTES) return refuse(413, `the event is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
	const payload = parseObject(Buffer.from(bytes).toString('utf8'));
	if (!payload) return refuse(400, 'the event is not JSON');
	const head = isObject(payload.header) ? payload.header : {};
	if (head.app_id !== undefined && head.app_id !== appId) return refuse(403, 'the event is for another app');
	return eventOf(payload, now);
}

/** The schema 2.0 envelope: ID, type and a create_time within the window every copy of an event is remembered for. */
function eventOf(payload: Record<string, unknown>, now: number): Delivery {
	const head = isObject(payload.header) ? payload.header : {};
	const { event_id: eventId, event_type: eventType, create_time: createTime } = head;
	if (typeof eventId !== 'string' || eventId === '' || typeof eventType !== 'string') {
		return refuse(400, 'the event has no header.event_id / event_type (schema 2.0)');
	}
	if (typeof createTime !== 'string' || !/^\d{1,15}$/.test(createTime)) return refuse(400, 'the event has no header.create_time (schema 2.0)');
	const createdAt = Number(createTime);
	const stale = tooOldOrAhead(createdAt, now);
	if (stale) return refuse(401, `the event's create_time ${stale}`);
	const event = isObject(payload.event) ? payload.event : {};
	return { kind: 'event', eventId, eventType, createTime, createdAt, event };
}

/** Why a time (ms) from Feishu is outside the window, or undefined when it is inside. */
function tooOldOrAhead(at: number, now: number): string | undefined {
	if (!Number.isFinite(at)) return 'is not a time';
	if (now - at > EVENT_MAX_AGE_MS) return `is more than ${EVENT_MAX_AGE_MS / 3600_000} hours old (a replay, or this clock is wrong)`;
	if (at - now > EVENT_MAX_LEAD_MS) return `is more than ${EVENT_MAX_LEAD_MS / 60_000} minutes ahead of this clock (set the clock right)`;
	return undefined;
}

function decrypt(encrypted: string, encryptKey: string): string | undefined {
	try {
		const data = Buffer.from(encrypted, 'base64');
		if (data.length < 32) return undefined;
		const key = createHash('sha256').update(encryptKey).digest();
		const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
		return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

function header(headers: DeliveryInput['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** A token field must be a string: an object, array or number is not the token. */
function sameToken(given: unknown, expected: string): boolean {
	return typeof given === 'string' && same(given, expected);
}

/** Constant-time comparison, so a wrong token or signature says nothing about the right one. */
function same(given: string, expected: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}
