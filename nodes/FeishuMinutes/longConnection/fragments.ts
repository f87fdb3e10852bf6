/**
 * Feishu may split one event over several data frames: the same `message_id`, `sum` parts, each with its
 * `seq` (0-based). Parts are joined in seq order once all have come; parts of a message that does not
 * complete in time are dropped, as Feishu's SDKs do (5–10 s). Bounded in messages and bytes.
 */

export interface FragmentLimits {
	/** The most parts one event may come in. */
	maxParts: number;
	/** Messages waiting for parts at once. */
	maxPending: number;
	/** Bytes of waiting parts, all messages together. */
	maxBytes: number;
	/** A message whose parts have not all come this long after its first is dropped. */
	expiryMs: number;
}

export const FRAGMENT_LIMITS: FragmentLimits = { maxParts: 64, maxPending: 32, maxBytes: 4 * 1024 * 1024, expiryMs: 10_000 };

/** A part as the frame's headers give it. */
export interface Fragment {
	messageId: string | undefined;
	sum: string | undefined;
	seq: string | undefined;
	payload: Uint8Array;
}

export type JoinResult = { kind: 'complete'; payload: Uint8Array } | { kind: 'waiting' } | { kind: 'refused'; reason: string };

interface Pending {
	parts: Array<Uint8Array | undefined>;
	received: number;
	bytes: number;
	firstAt: number;
}

export class FragmentJoiner {
	private readonly pending = new Map<string, Pending>();

	private bytes = 0;

	constructor(private readonly limits: FragmentLimits = FRAGMENT_LIMITS) {}

	/** Parts waiting now (for tests and logs). */
	get waiting(): number {
		return this.pending.size;
	}

	add(fragment: Fragment, now: number): JoinResult {
		this.expire(now);
		const sum = fragment.sum === undefined ? 1 : wholeNumber(fragment.sum);
		const seq = fragment.seq === undefined ? 0 : wholeNumber(fragment.seq);
		if (sum === undefined || sum < 1 || sum > this.limits.maxParts) return { kind: 'refused', reason: `sum ${String(fragment.sum)} is not 1 to ${this.limits.maxParts}` };
		if (seq === undefined || seq >= sum) return { kind: 'refused', reason: `seq ${String(fragment.seq)} is not 0 to ${sum - 1}` };
		if (sum === 1) return { kind: 'complete', payload: fragment.payload };
		if (!fragment.messageId) return { kind: 'refused', reason: 'a part without message_id' };

		let message = this.pending.get(fragment.messageId);
		if (message && message.parts.length !== sum) {
			this.drop(fragment.messageId);
			return { kind: 'refused', reason: `message ${fragment.messageId} changed its sum` };
		}
		if (!message) {
			if (this.pending.size >= this.limits.maxPending) return { kind: 'refused', reason: `more than ${this.limits.maxPending} messages are waiting for parts` };
			message = { parts: new Array<Uint8Array | undefined>(sum).fill(undefined), received: 0, bytes: 0, firstAt: now };
			this.pending.set(fragment.messageId, message);
		}
		// a part sent again (Feishu's redelivery) replaces nothing
		if (message.parts[seq] !== undefined) return { kind: 'waiting' };
		if (this.bytes + fragment.payload.length > this.limits.maxBytes) {
			this.drop(fragment.messageId);
			return { kind: 'refused', reason: `waiting parts would exceed ${this.limits.maxBytes} bytes` };
		}
		message.parts[seq] = fragment.payload;
		message.received++;
		message.bytes += fragment.payload.length;
		this.bytes += fragment.payload.length;
		if (message.received < sum) return { kind: 'waiting' };
		this.drop(fragment.messageId);
		return { kind: 'complete', payload: Buffer.concat(message.parts as Uint8Array[]) };
	}

	private expire(now: number): void {
		for (const [messageId, message] of this.pending) if (now - message.firstAt > this.limits.expiryMs) this.drop(messageId);
	}

	private drop(messageId: string): void {
		const message = this.pending.get(messageId);
		if (!message) return;
		this.bytes -= message.bytes;
		this.pending.delete(messageId);
	}
}

function wholeNumber(text: string): number | undefined {
	return /^\d{1,6}$/.test(text) ? Number(text) : undefined;
}
