import { sleep } from 'n8n-workflow';

/** Extra room per window, so arrival jitter never puts one request too many in Feishu's window. */
const WINDOW_MARGIN_MS = 40;

/** One request start as far as the limit is concerned. */
export interface RateSlot {
	/** When the request started. */
	at: number;
}

/**
 * At most `limit` request starts in any sliding window of `windowMs` — the strictest reading of
 * Feishu's "N requests per second (or minute)", so no windowing on Feishu's side can count one too
 * many. Slots are handed out synchronously, so concurrent callers never race for the same one.
 */
export class RateLimiter {
	private readonly starts: RateSlot[] = [];

	private readonly perWindow: number;

	private readonly windowMs: number;

	private pausedUntil = 0;

	constructor(limit: number, windowMs = 1000) {
		// Fractional rates (e.g. 0.5/s) become one request per 2 s window.
		this.perWindow = Math.max(1, Math.floor(limit));
		this.windowMs = (windowMs * this.perWindow) / limit + WINDOW_MARGIN_MS;
	}

	async acquire(): Promise<RateSlot> {
		const now = Date.now();
		// the earliest of the last `perWindow` starts decides when the window has room again
		const recent = this.starts.map((slot) => slot.at).sort((a, b) => b - a);
		const oldest = recent.length >= this.perWindow ? recent[this.perWindow - 1] : undefined;
		const slot = { at: Math.max(now, this.pausedUntil, oldest === undefined ? 0 : oldest + this.windowMs) };
		this.starts.push(slot);
		if (this.starts.length > this.perWindow) this.starts.shift();
		if (slot.at > now) await sleep(slot.at - now);
		return slot;
	}

	/** The request really started later than its slot (it first waited for a token): count it from now. */
	restart(slot: RateSlot): void {
		slot.at = Math.max(slot.at, Date.now());
	}

	/** Feishu said to wait (HTTP 429): nobody starts before then. */
	pauseUntil(time: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, time);
	}
}

/** Exponential back-off with full jitter: 0.5 s, 1 s, 2 s … capped at 16 s, each randomised. */
export function backoffDelay(attempt: number): number {
	const ceiling = Math.min(16_000, 500 * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}
