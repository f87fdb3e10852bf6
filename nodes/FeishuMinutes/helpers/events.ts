import { createDecipheriv, createHash, timingSafeEqual } from 'crypto';

/** A delivery whose signed timestamp is older than this is refused as a replay (Feishu retries for up to ~7 h). */
const MAX_EVENT_AGE_MS = 8 * 3600 * 1000;

/** …or further in the future than this (clock skew). */
const MAX_EVENT_LEAD_MS = 5 * 60 * 1000;

/** What one HTTP delivery to the Request URL is. */
export type Delivery =
	| { kind: 'challenge'; challenge: string }
	| { kind: 'event'; eventId: string; eventType: string; createTime?: string; event: Record<string, unknown> }
	| { kind: 'refused'; status: 400 | 401 | 403; reason: string };

export interface DeliveryInput {
	rawBody: Buffer;
	headers: Record<string, string | string[] | undefined>;
	/** From the credential: with it, bodies must be encrypted and events signed. */
	encryptKey?: string;
	verificationToken?: string;
	now: number;
}

/**
 * Reads a delivery as Feishu's event protocol has it (schema 2.0): with an Encrypt Key, the body is
 * `{"encrypt": base64(IV ‖ AES-256-CBC(json))}` under key SHA-256(Encrypt Key), and an event carries
 * X-Lark-Signature = hex SHA-256(timestamp ‖ nonce ‖ Encrypt Key ‖ raw body); the Verification Token
 * is `header.token` (events) or `token` (the url_verification challenge). Never throws: what cannot
 * be trusted is refused with the status to answer.
 */
export function readDelivery({ rawBody, headers, encryptKey, verificationToken, now }: DeliveryInput): Delivery {
	if (!encryptKey && !verificationToken) {
		return { kind: 'refused', status: 403, reason: 'the credential has neither an Encrypt Key nor a Verification Token, so no delivery can be trusted' };
	}
	const outer = parseObject(rawBody.toString('utf8'));
	if (!outer) return { kind: 'refused', status: 400, reason: 'the body is not JSON' };
	let payload = outer;
	if (typeof outer.encrypt === 'string') {
		if (!encryptKey) return { kind: 'refused', status: 400, reason: 'the body is encrypted, but the credential has no Encrypt Key' };
		const inner = parseObject(decrypt(outer.encrypt, encryptKey) ?? '');
		if (!inner) return { kind: 'refused', status: 400, reason: 'the body does not decrypt with the Encrypt Key' };
		payload = inner;
	} else if (encryptKey) {
		return { kind: 'refused', status: 400, reason: 'the body is not encrypted, though the credential has an Encrypt Key' };
	}

	if (payload.type === 'url_verification') {
		if (verificationToken && !same(String(payload.token ?? ''), verificationToken)) {
			return { kind: 'refused', status: 403, reason: 'the challenge carries another Verification Token' };
		}
		return { kind: 'challenge', challenge: String(payload.challenge ?? '') };
	}

	if (encryptKey) {
		const timestamp = header(headers, 'x-lark-request-timestamp');
		const nonce = header(headers, 'x-lark-request-nonce');
		const signature = header(headers, 'x-lark-signature');
		if (!timestamp || !nonce || !signature) return { kind: 'refused', status: 401, reason: 'the event is not signed' };
		const expected = createHash('sha256').update(timestamp + nonce + encryptKey).update(rawBody).digest('hex');
		if (!same(signature, expected)) return { kind: 'refused', status: 401, reason: 'the signature does not match' };
		const sentAt = Number(timestamp) * 1000;
		if (!Number.isFinite(sentAt) || now - sentAt > MAX_EVENT_AGE_MS || sentAt - now > MAX_EVENT_LEAD_MS) {
			return { kind: 'refused', status: 401, reason: 'the signed timestamp is stale (a replay) or in the future' };
		}
	}
	const head = (payload.header ?? {}) as Record<string, unknown>;
	if (verificationToken && !same(String(head.token ?? payload.token ?? ''), verificationToken)) {
		return { kind: 'refused', status: 403, reason: 'the event carries another Verification Token' };
	}
	const eventId = head.event_id;
	const eventType = head.event_type;
	if (typeof eventId !== 'string' || eventId === '' || typeof eventType !== 'string') {
		return { kind: 'refused', status: 400, reason: 'the event has no header.event_id / event_type (schema 2.0)' };
	}
	const event = payload.event && typeof payload.event === 'object' ? (payload.event as Record<string, unknown>) : {};
	return { kind: 'event', eventId, eventType, createTime: typeof head.create_time === 'string' ? head.create_time : undefined, event };
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

function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function header(headers: DeliveryInput['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Constant-time comparison, so a wrong token or signature says nothing about the right one. */
function same(given: string, expected: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}
