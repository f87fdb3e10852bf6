import { sleep } from 'n8n-workflow';

/** Extra room per window, so arrival jitter never puts one request too many in Feishu's window. */
const WINDOW_MARGIN_MS = 40;

/**
 * A 429 cuts the pace to this share of what it was, at most once per window; it then climbs back by
 * RECOVERY_PER_WINDOW of the limit per window. Two n8n workers against one 5/s app (npm run bench,
 * "two processes"): these settled fastest of the pairs tried (0.5/0.1, 0.5/0.2, 0.7/0.1, 0.7/0.2).
 * Under steady 429s the pace holds near half the limit: it never falls lower.
 */
const CUT = 0.7;

const RECOVERY_PER_WINDOW = 0.2;

/** A waiting queue looks at the pace again at least this often. */
const RECHECK_MS = 250;

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
 * a 429 cuts this limiter's pace to 70 % (once per window), which then climbs back by a fifth of
 * the limit per window — additive increase, multiplicative decrease.
 */
export class RateLimiter {
	private readonly starts: RateSlot[] = [];

	/** Callers waiting for a slot, in order. */
	private readonly queue: Array<(slot: RateSlot) => void> = [];

	private releasing = false;

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

	/**
	 * A slot to start a request in. Callers queue in order; the queue is released at the pace in force
	 * at each moment, so a pace that climbs back after a cut speeds up callers already waiting.
	 */
	async acquire(): Promise<RateSlot> {
		this.lastUse = Date.now();
		const granted = new Promise<RateSlot>((resolve) => this.queue.push(resolve));
		void this.release();
		return await granted;
	}

	private async release(): Promise<void> {
		if (this.releasing) return;
		this.releasing = true;
		try {
			while (this.queue.length > 0) {
				const now = Date.now();
				const wait = this.nextStart(now) - now;
				if (wait > 0) {
					// look again soon: the pace may have changed meanwhile
					await sleep(Math.min(wait, RECHECK_MS));
					continue;
				}
				const slot = { at: now };
				this.starts.push(slot);
				if (this.starts.length > Math.max(1, Math.floor(this.limit))) this.starts.shift();
				this.queue.shift()!(slot);
			}
		} finally {
			this.releasing = false;
		}
	}

	/** When the window has room for one more start at the current pace. */
	private nextStart(now: number): number {
		const limit = this.currentLimit(now);
		// whole starts per window, never more in any window; below one, one start per 1/limit windows
		const perWindow = Math.max(1, Math.floor(limit));
		const span = (limit >= 1 ? this.windowMs : this.windowMs / limit) + WINDOW_MARGIN_MS;
		// the earliest of the last `perWindow` starts decides when the window has room again
		const recent = this.starts.map((slot) => slot.at).sort((a, b) => b - a);
		return recent.length >= perWindow ? recent[perWindow - 1] + span : now;
	}

	/** The request really started later than its slot (it first waited for a token): count it from now. */
	restart(slot: RateSlot): void {
		slot.at = Math.max(slot.at, Date.now());
	}

	/**
	 * Feishu answered 429: something else spends this app's budget too. Slow down; the refused
	 * request itself waits as long as Feishu says before it takes a new slot.
	 */
	backOff(): void {
		const now = Date.now();
		// 429s of requests already in flight are one signal, not several
		if (this.cut && now - this.cut.at < this.windowMs) return;
		this.cut = { limit: this.currentLimit(now) * CUT, at: now };
	}

	/** Nobody has asked for a slot for a while, and nobody waits. */
	isIdle(now = Date.now()): boolean {
		return this.queue.length === 0 && now - this.lastUse > IDLE_MS;
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
