/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Events over the long connection, as Feishu sends them (../notes/ws-facts.md §3): data frames carrying the
 * schema 2.0 JSON (no token, no encryption), split into `sum` fragments under one message_id; each complete
 * event wants an ack (the completing frame echoed + biz_rt, payload {"code":200}) within 3 s, or it comes again.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

import { DEFAULT_APP } from './accounts';
import { type Frame, type FrameHeader, METHOD_DATA, encodeFrame, headerOf } from './pbbp2';

/** One open socket of an app, as the server tracks it. */
export interface LiveConnection {
	readonly socket: WebSocket;
	readonly appId: string;
	readonly deviceId: string;
	/** The URL's service_id: every frame's `service`. */
	readonly serviceId: number;
	lastPingAt: number;
	idle?: NodeJS.Timeout;
}

export interface LongConnectionPushOptions {
	/** Split the JSON bytes into this many data frames (same message_id; `sum`/`seq` headers). Default 1. */
	fragments?: number;
	messageId?: string;
	/** 'random' (Feishu: each event goes to ONE connected client of the app) or the oldest open connection. */
	to?: 'first' | 'random';
}

export interface LongConnectionPushResult {
	delivered: boolean;
	acked: boolean;
	ackCode?: number;
}

export interface LongConnectionAck {
	messageId: string;
	code: number;
	bizRt?: string;
}

const utf8 = new TextEncoder();
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A schema 2.0 event as the long connection carries it: no `token` in the header, no encryption. */
export function feishuEvent(eventType: string, event: Record<string, unknown>, eventId = hex(16), appId = DEFAULT_APP.appId): Record<string, unknown> {
	return {
		schema: '2.0',
		header: { event_id: eventId, event_type: eventType, create_time: String(Date.now()), app_id: appId, tenant_key: 'simulated_tenant' },
		event,
	};
}

/** `minutes.minute.generated_v1` for a minute, as pushed over the long connection. */
export function minuteEvent(minuteToken: string, eventId?: string): Record<string, unknown> {
	const subscriber = { open_id: 'ou_simulated_owner', union_id: 'on_simulated_owner', user_id: 'simulated' };
	return feishuEvent('minutes.minute.generated_v1', { minute_token: minuteToken, subscriber_ids: [subscriber] }, eventId);
}

/** What an ack's payload says, if the frame is exactly the sent one echoed with biz_rt; undefined otherwise. */
function ackCode(sent: Frame, ack: Frame): number | undefined {
	const same = (a: unknown, b: unknown) => a === b;
	if (!same(ack.seqId, sent.seqId) || !same(ack.logId, sent.logId) || !same(ack.service, sent.service) || ack.method !== METHOD_DATA) return;
	if (!same(ack.payloadEncoding, sent.payloadEncoding) || !same(ack.payloadType, sent.payloadType) || !same(ack.logIdNew, sent.logIdNew)) return;
	const bizRt = ack.headers.filter((header) => header.key === 'biz_rt');
	if (bizRt.length !== 1 || !/^-?\d+$/.test(bizRt[0].value)) return;
	const flat = (headers: FrameHeader[]) => JSON.stringify(headers.map(({ key, value }) => [key, value]).sort());
	if (flat(ack.headers.filter((header) => header.key !== 'biz_rt')) !== flat(sent.headers)) return;
	try {
		const body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(ack.payload ?? new Uint8Array())) as { code?: unknown };
		return body !== null && typeof body === 'object' && (body.code === 200 || body.code === 500) ? body.code : undefined;
	} catch {
		return undefined;
	}
}

export class Deliveries {
	readonly acks: LongConnectionAck[] = [];

	/** Data frames from clients that are not a valid ack of a frame sent to that connection. */
	badAcks = 0;

	private seqId = 0n;

	/** Completing frames sent and not acked yet, per connection, by `message_id SeqID`. */
	private readonly awaiting = new WeakMap<LiveConnection, Map<string, Frame>>();

	/** Pushes waiting for an ack, by message_id. */
	private readonly listeners = new Map<string, Set<(code: number) => void>>();

	/** Pending waits, to end them on stop. */
	private readonly waits = new Set<() => void>();

	constructor(
		private readonly open: (appId: string) => LiveConnection[],
		private readonly redeliverAfterMs: number,
	) {}

	async push(event: object, options: LongConnectionPushOptions = {}): Promise<LongConnectionPushResult> {
		const bytes = utf8.encode(JSON.stringify(event));
		const appId = (event as { header?: { app_id?: unknown } }).header?.app_id;
		const messageId = options.messageId ?? hex(16);
		// LogIDs above 2^53, as Feishu's are: a client that reads them as JS numbers echoes a different one
		const logId = (1n << 62n) | BigInt(`0x${hex(7)}`);
		let ackedWith: number | undefined;
		const listener = (code: number) => (ackedWith ??= code);
		const listeners = this.listeners.get(messageId) ?? new Set();
		this.listeners.set(messageId, listeners.add(listener));
		try {
			let delivered = false;
			// Feishu pushes again once when no ack came within 3 s
			for (let copy = 0; copy < 2; copy++) {
				const candidates = this.open(typeof appId === 'string' ? appId : DEFAULT_APP.appId);
				const target = options.to === 'first' ? candidates[0] : candidates[Math.floor(Math.random() * candidates.length)];
				if (target) {
					this.send(target, bytes, messageId, logId, options.fragments ?? 1);
					delivered = true;
				} else if (!delivered) return { delivered: false, acked: false };
				await this.wait(this.redeliverAfterMs, () => ackedWith !== undefined);
				if (ackedWith !== undefined) return { delivered, acked: true, ackCode: ackedWith };
			}
			return { delivered, acked: false };
		} finally {
			listeners.delete(listener);
			if (!listeners.size) this.listeners.delete(messageId);
		}
	}

	/** A data frame from a client: an ack, or a bad one. */
	received(connection: LiveConnection, frame: Frame): void {
		const messageId = headerOf(frame, 'message_id') ?? '';
		const key = `${messageId} ${frame.seqId}`;
		const sent = this.awaiting.get(connection)?.get(key);
		const code = sent && ackCode(sent, frame);
		if (code === undefined) {
			this.badAcks++;
			return;
		}
		this.awaiting.get(connection)?.delete(key);
		this.acks.push({ messageId, code, bizRt: headerOf(frame, 'biz_rt') });
		for (const listener of this.listeners.get(messageId) ?? []) listener(code);
	}

	/** Ends every pending wait (the simulator stops). */
	stop(): void {
		for (const end of this.waits) end();
	}

	private send(connection: LiveConnection, bytes: Uint8Array, messageId: string, logId: bigint, fragments: number): void {
		const sum = Math.max(1, Math.min(Math.floor(fragments), bytes.length));
		const traceId = hex(8);
		const cut = (seq: number) => Math.floor((seq * bytes.length) / sum);
		for (let seq = 0; seq < sum; seq++) {
			const frame: Frame = {
				seqId: ++this.seqId,
				logId,
				service: connection.serviceId,
				method: METHOD_DATA,
				headers: [
					{ key: 'type', value: 'event' },
					{ key: 'message_id', value: messageId },
					{ key: 'sum', value: String(sum) },
					{ key: 'seq', value: String(seq) },
					{ key: 'trace_id', value: traceId },
					{ key: 'timestamp', value: String(Date.now()) },
				],
				payload: bytes.subarray(cut(seq), cut(seq + 1)),
			};
			if (seq === sum - 1) {
				const awaiting = this.awaiting.get(connection) ?? new Map<string, Frame>();
				this.awaiting.set(connection, awaiting.set(`${messageId} ${frame.seqId}`, frame));
			}
			connection.socket.send(encodeFrame(frame));
		}
	}

	/** Waits `ms`, or less once `done()` holds (checked every 10 ms). */
	private async wait(ms: number, done: () => boolean): Promise<void> {
		await new Promise<void>((resolve) => {
			const end = () => {
				clearInterval(poll);
				clearTimeout(timer);
				this.waits.delete(end);
				resolve();
			};
			const poll = setInterval(() => done() && end(), 10);
			const timer = setTimeout(end, ms);
			this.waits.add(end);
		});
	}
}
