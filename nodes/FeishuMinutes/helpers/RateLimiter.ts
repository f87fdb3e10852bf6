import { sleep } from 'n8n-workflow';

/** Extra room per window, so arrival jitter never puts one request too many in Feishu's window. */
const WINDOW_MARGIN_MS = 40;

/** After a cut, the pace climbs back by this share of the configured limit per window. */
const RECOVERY_PER_WINDOW = 0.1;

/** A cut never goes below this share of the configured limit. */
const FLOOR = 0.1;

/** A limiter nobody has used for this long is dropped from the process-wide registry. */
const IDLE_MS = 10 * 60 * 1000;

/** One request start as far as the limit is concerned. */
export interface RateSlot {
	/** When the request started. */
	at: number;
}

/**
 * At most `limit` request starts in any sliding window of `windowMs` — the strictest reading of
 * Feishu's "N requests per second (or minute)", so no windowing on Feishu's side can count one too
 * many. Slots are handed out synchronously, so concurrent callers never race for the same one.
 *
 * Feishu counts per app, and other processes (n8n workers) may spend the same app's budget unseen:
 * a 429 halves this limiter's pace (once per window), which then climbs back by a tenth of the
 * limit per window — additive increase, multiplicative decrease.
 */
export class RateLimiter {
	private readonly starts: RateSlot[] = [];

	private pausedUntil = 0;

	/** After a 429: the pace it was cut to, and from when. */
	private cut?: { limit: number; at: number };

	private lastUse = Date.now();

	constructor(
		private readonly limit: number,
		private readonly windowMs = 1000,
	) {}

	/** Starts per window now: the configured limit, or the cut one on its way back up. */
	currentLimit(now = Date.now()): number {
		if (!this.cut) return this.limit;
		const recovered = this.cut.limit + (Math.max(0, now - this.cut.at) / this.windowMs) * this.limit * RECOVERY_PER_WINDOW;
		if (recovered < this.limit) return recovered;
		this.cut = undefined;
		return this.limit;
	}

	async acquire(): Promise<RateSlot> {
		const now = Date.now();
		this.lastUse = now;
		const limit = this.currentLimit(now);
		// fractional rates (e.g. 0.5/s) become one request per 2 s window
		const perWindow = Math.max(1, Math.floor(limit));
		const span = (this.windowMs * perWindow) / limit + WINDOW_MARGIN_MS;
		// the earliest of the last `perWindow` starts decides when the window has room again
		const recent = this.starts.map((slot) => slot.at).sort((a, b) => b - a);
		const oldest = recent.length >= perWindow ? recent[perWindow - 1] : undefined;
		const slot = { at: Math.max(now, this.pausedUntil, oldest === undefined ? 0 : oldest + span) };
		this.starts.push(slot);
		if (this.starts.length > Math.max(1, Math.floor(this.limit))) this.starts.shift();
		if (slot.at > now) await sleep(slot.at - now);
		return slot;
	}

	/** The request really started later than its slot (it first waited for a token): count it from now. */
	restart(slot: RateSlot): void {
		slot.at = Math.max(slot.at, Date.now());
	}

	/** Feishu said to wait (HTTP 429): nobody starts before `until`, and the pace is halved. */
	backOff(until: number): void {
		const now = Date.now();
		this.pausedUntil = Math.max(this.pausedUntil, until);
		// 429s of requests already in flight are one signal, not several
		if (this.cut && now - this.cut.at < this.windowMs) return;
		this.cut = { limit: Math.max(this.limit * FLOOR, this.currentLimit(now) / 2), at: Math.max(now, until) };
	}

	/** Nobody has taken a slot or been told to wait for a while. */
	isIdle(now = Date.now()): boolean {
		return now - Math.max(this.lastUse, this.pausedUntil) > IDLE_MS;
	}
}

/** Every limiter in this process, by what Feishu counts: the app's budget at a given pace. */
const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for one app's budget: every execution and poll in this n8n process that
 * spends it paces together. Limiters idle for ten minutes are dropped, so memory stays bounded.
 */
export function sharedLimiter(budgetKey: string, limit: number, windowMs: number): RateLimiter {
	const now = Date.now();
	for (const [key, limiter] of shared) if (limiter.isIdle(now)) shared.delete(key);
	const key = `${budgetKey}|${limit}/${windowMs}`;
	let limiter = shared.get(key);
	if (!limiter) shared.set(key, (limiter = new RateLimiter(limit, windowMs)));
	return limiter;
}

/** Exponential back-off with full jitter: 0.5 s, 1 s, 2 s … capped at 16 s, each randomised. */
export function backoffDelay(attempt: number): number {
	const ceiling = Math.min(16_000, 500 * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}
