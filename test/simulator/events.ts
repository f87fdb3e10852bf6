/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Feishu's side of event delivery: builds a schema 2.0 event, encrypts and signs it as Feishu does
 * (AES-256-CBC under SHA-256 of the Encrypt Key, random IV first, base64; X-Lark-Signature = hex
 * SHA-256 of timestamp ‖ nonce ‖ Encrypt Key ‖ body) and posts it to a Request URL, retrying on any
 * answer but 200 — Feishu retries 4 times over ~7 h; here the delays are short, and given.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

import { meetingFacts, unixSeconds } from './meetings';
import type { SimulatedMeeting } from './types';

export interface AppSecrets {
	encryptKey?: string;
	verificationToken?: string;
}

/** What `npm run dev` puts in its OAuth2 credential, and what the simulator's push control endpoint signs with. */
export const DEV_EVENT_SECRETS: AppSecrets = { encryptKey: 'simulator-encrypt-key', verificationToken: 'simulator-verification-token' };

export interface PushOptions extends AppSecrets {
	minuteToken?: string;
	eventType?: string;
	/** The event body; default a new minute's (`minute_token`, `subscriber_ids`). */
	event?: Record<string, unknown>;
	eventId?: string;
	/** The signed timestamp, in seconds (default now): an old one is a replay. */
	timestamp?: number;
	/** The event's `header.create_time`, in ms (default now). */
	createTime?: number;
	/** Spoil one part, as an attacker or a broken proxy would. */
	tamper?: 'signature' | 'token' | 'garbage';
	/** Waits before each retry; the answer of the last try is the result. */
	retryDelaysMs?: number[];
	appId?: string;
}

export function encrypt(plain: string, encryptKey: string): string {
	const iv = randomBytes(16);
	const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv);
	return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** The body Feishu posts, and its headers. */
export function delivery(payload: object, secrets: AppSecrets, timestamp = Math.floor(Date.now() / 1000), sign = true) {
	const json = JSON.stringify(payload);
	const body = secrets.encryptKey ? JSON.stringify({ encrypt: encrypt(json, secrets.encryptKey) }) : json;
	return { body, headers: secrets.encryptKey && sign ? signed(body, secrets.encryptKey, timestamp) : plainHeaders() };
}

const plainHeaders = (): Record<string, string> => ({ 'content-type': 'application/json; charset=utf-8' });

/** The headers Feishu sends with a body: X-Lark-Signature over exactly these bytes. */
export function signed(body: string, encryptKey: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
	const nonce = randomBytes(8).toString('hex');
	return {
		...plainHeaders(),
		'x-lark-request-timestamp': String(timestamp),
		'x-lark-request-nonce': nonce,
		'x-lark-signature': createHash('sha256').update(`${timestamp}${nonce}${encryptKey}${body}`).digest('hex'),
	};
}

/** Saving the Request URL in the console: the url_verification challenge. Feishu wants the answer within 1 s. */
export async function sendChallenge(url: string, secrets: AppSecrets): Promise<{ status: number; body: unknown; ms: number }> {
	const challenge = randomBytes(12).toString('hex');
	const { body, headers } = delivery({ challenge, token: secrets.verificationToken ?? '', type: 'url_verification' }, secrets, undefined, false);
	const started = Date.now();
	const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
	return { status: response.status, body: await response.json().catch(() => undefined), ms: Date.now() - started, ...{ challenge } };
}

/** Pushes one event; returns every answer's status, in order. */
export async function pushEvent(url: string, options: PushOptions): Promise<{ eventId: string; statuses: number[] }> {
	const eventId = options.eventId ?? randomBytes(16).toString('hex');
	const payload = {
		schema: '2.0',
		header: {
			event_id: eventId,
			event_type: options.eventType ?? 'minutes.minute.generated_v1',
			create_time: String(options.createTime ?? Date.now()),
			token: options.tamper === 'token' ? 'not-the-verification-token' : (options.verificationToken ?? ''),
			app_id: options.appId ?? 'cli_simulator0000001',
			tenant_key: 'simulated_tenant',
		},
		event: options.event ?? {
			minute_token: options.minuteToken,
			subscriber_ids: [{ open_id: 'ou_simulated_owner', union_id: 'on_simulated_owner', user_id: 'simulated' }],
		},
	};
	const statuses: number[] = [];
	for (const delay of [0, ...(options.retryDelaysMs ?? [])]) {
		if (delay) await new Promise((done) => setTimeout(done, delay));
		let { body: sent, headers } = delivery(payload, options, options.timestamp);
		if (options.tamper === 'signature') headers['x-lark-signature'] = '0'.repeat(64);
		// garbage signed as Feishu would sign it: the signature holds, the body does not decrypt
		if (options.tamper === 'garbage') {
			sent = '{"encrypt":"bm90IGVuY3J5cHRlZA=="}';
			if (options.encryptKey) headers = signed(sent, options.encryptKey, options.timestamp);
		}
		const response = await fetch(url, { method: 'POST', headers, body: sent, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
		statuses.push(response?.status ?? 0);
		await response?.arrayBuffer().catch(() => undefined);
		if (response?.status === 200) break;
	}
	return { eventId, statuses };
}

/** The event type of "a meeting in the tenant ended". */
export const MEETING_ENDED_EVENT = 'vc.meeting.all_meeting_ended_v1';

/** A user as VC events name them: every ID type, derived from the open_id. */
const eventUser = (openId: string) => ({
	id: { open_id: openId, union_id: openId.replace(/^ou_/, 'on_'), user_id: openId.replace(/^ou_/, '') },
	user_role: 1,
	user_type: 1,
});

/** The body of `vc.meeting.all_meeting_ended_v1` for a meeting (node-sdk events-template.ts); push it with `eventType: MEETING_ENDED_EVENT`. */
export function meetingEndedEvent(meeting: SimulatedMeeting): Record<string, unknown> {
	const facts = meetingFacts(meeting, Infinity);
	return {
		meeting: {
			id: facts.id,
			topic: facts.topic,
			meeting_no: facts.number,
			meeting_source: 1,
			start_time: unixSeconds(facts.startTime),
			end_time: unixSeconds(facts.endTime ?? Date.now()),
			host_user: eventUser(facts.organizerId),
			owner: eventUser(facts.ownerId),
			...(facts.calendarEventId ? { calendar_event_id: facts.calendarEventId } : {}),
		},
		operator: eventUser(facts.organizerId),
	};
}
