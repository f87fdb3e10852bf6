import { sleep } from 'n8n-workflow';

/** Extra room per window, for timer granularity between our clock and Feishu's. */
const WINDOW_MARGIN_MS = 8;

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

/** A request still unanswered after this has reached Feishu: the rest is Feishu's processing time. */
const ARRIVAL_BOUND_MS = 2000;

/** Round trips remembered for the shortest one (which bounds how soon a request can arrive). */
const ROUND_TRIPS_KEPT = 256;

/** Round trips seen before the shortest one is trusted as the network's floor; fewer, if they hardly vary. */
const ROUND_TRIPS_TRUSTED = 16;

const STEADY_ROUND_TRIPS_TRUSTED = 4;

/** A pace asked for by an execution holds for the app this long after its last request. */
const PACE_MEMORY_MS = 60 * 1000;

/** Monotonic milliseconds: a wall-clock step (NTP, a VM resumed) never stalls or floods the limiter. */
const now = (): number => performance.now();

/** One request as far as the limit is concerned: when it went out and when its answer came. */
export interface RateSlot {
	at: number;
	answeredAt?: number;
}

/**
 * At most `limit` requests counted by Feishu in any sliding window of `windowMs`. Feishu counts a
 * request when it arrives, somewhere between our send and its answer, and latency varies: counting
 * sends alone lets jitter slip one request too many into Feishu's window. So a request holds its
 * place until `windowMs` after its answer, less the shortest round trip seen (it cannot have
 * arrived sooner than that before its answer, nor the next one sooner after its send), and at least
 * `windowMs` after its send. Slots are handed out synchronously, in order.
 *
 * Feishu counts per app, and other processes (n8n workers) may spend the same app's budget unseen:
 * a 429 cuts this limiter's pace to 70 % (once per window), which then climbs back by a fifth of
 * the limit per window — additive increase, multiplicative decrease.
 */
export class RateLimiter {
	/** Requests that may still count in Feishu's window. */
	private slots: RateSlot[] = [];

	/** Callers waiting for a slot, in order. */
	private readonly queue: Array<(slot: RateSlot) => void> = [];

	private releasing = false;

	/** Wakes a release loop that waits for an answer to free the window. */
	private wake?: () => void;

	/** After a 429: the pace it was cut to, and from when. */
	private cut?: { limit: number; at: number };

	private readonly roundTrips: number[] = [];

	/** Paces executions asked for (Requests Per Second), with when each was last asked: the lowest holds. */
	private readonly paces = new Map<number, number>();

	private lastUse = now();

	constructor(
		limit: number,
		private readonly windowMs = 1000,
	) {
		this.paces.set(limit, this.lastUse);
	}

	/** The pace every execution spending this budget keeps: the lowest one asked for within a minute. */
	get limit(): number {
		const at = now();
		let lowest = Infinity;
		for (const [pace, lastAsked] of this.paces) {
			if (at - lastAsked > PACE_MEMORY_MS && this.paces.size > 1) this.paces.delete(pace);
			else lowest = Math.min(lowest, pace);
		}
		return lowest;
	}

	/** An execution's own Requests Per Second: the app's pace is the lowest of those asked for lately. */
	askPace(pace: number): void {
		this.paces.set(pace, now());
	}

	/** Starts per window now: the configured limit, or the cut one on its way back up. */
	currentLimit(at = now()): number {
		const limit = this.limit;
		if (!this.cut) return limit;
		const recovered = this.cut.limit + (Math.max(0, at - this.cut.at) / this.windowMs) * limit * RECOVERY_PER_WINDOW;
		if (recovered < limit) return Math.max(0.01, recovered);
		this.cut = undefined;
		return limit;
	}

	/**
	 * A slot to send a request in. Callers queue in order; the queue is released at the pace in force
	 * at each moment, so a pace that climbs back after a cut speeds up callers already waiting.
	 * Call `answered` with the slot when the answer (or the failure) comes back.
	 */
	async acquire(): Promise<RateSlot> {
		this.lastUse = now();
		const granted = new Promise<RateSlot>((resolve) => this.queue.push(resolve));
		void this.release();
		return await granted;
	}

	/**
	 * The request's answer came back (or it failed): Feishu has counted it by now. `timed` false: the time
	 * since the slot includes something else (a token fetch first), so it says nothing of the network.
	 */
	answered(slot: RateSlot, timed = true): void {
		slot.answeredAt = now();
		if (timed) this.roundTrips.push(slot.answeredAt - slot.at);
		if (this.roundTrips.length > ROUND_TRIPS_KEPT) this.roundTrips.shift();
		this.wake?.();
	}

	private async release(): Promise<void> {
		if (this.releasing) return;
		this.releasing = true;
		try {
			while (this.queue.length > 0) {
				const at = now();
				const wait = this.nextStart(at) - at;
				if (wait > 0) {
					// look again soon, or at the next answer: the pace may have changed meanwhile
					const answered = new Promise<void>((resolve) => (this.wake = resolve));
					await Promise.race([sleep(Math.min(wait, RECHECK_MS)), answered]);
					this.wake = undefined;
					continue;
				}
				const slot: RateSlot = { at };
				this.slots.push(slot);
				this.queue.shift()!(slot);
			}
		} finally {
			this.releasing = false;
		}
	}

	/** When the window has room for one more request at the current pace. */
	private nextStart(at: number): number {
		const limit = this.currentLimit(at);
		// whole requests per window, never more in any window; below one, one request per 1/limit windows
		const perWindow = Math.max(1, Math.floor(limit));
		const span = (limit >= 1 ? this.windowMs : this.windowMs / limit) + WINDOW_MARGIN_MS;
		const shortestTrip = this.networkFloor();
		const freeAt = (slot: RateSlot): number => {
			const answeredAt = slot.answeredAt ?? (at - slot.at >= ARRIVAL_BOUND_MS ? slot.at + ARRIVAL_BOUND_MS : Infinity);
			return Math.max(slot.at + span, answeredAt + span - shortestTrip);
		};
		this.slots = this.slots.filter((slot) => freeAt(slot) > at);
		if (this.slots.length < perWindow) return at;
		// the request that frees the window for one more
		const frees = this.slots.map(freeAt).sort((a, b) => a - b);
		return frees[this.slots.length - perWindow];
	}

	/**
	 * How soon a request can have reached Feishu after its send, or its answer come back after Feishu
	 * counted it: the shortest round trip seen, less three times the gap by which a new sample is
	 * expected to undercut it (the range over the count), and at least a twentieth. A few samples are
	 * trusted only when they hardly vary (within a tenth): a handful drawn from a wide spread says
	 * little about its bottom.
	 */
	private networkFloor(): number {
		const trips = this.roundTrips;
		if (trips.length < STEADY_ROUND_TRIPS_TRUSTED) return 0;
		const shortest = Math.min(...trips);
		const range = Math.max(...trips) - shortest;
		if (trips.length < ROUND_TRIPS_TRUSTED && range > shortest / 10) return 0;
		// never all of it: a busy event loop can delay a send, which then looks like a longer trip
		return Math.max(0, shortest - Math.max((3 * range) / trips.length, shortest / 20));
	}

	/** The request really went out later than its slot (it first waited for a token): count it from now. */
	restart(slot: RateSlot): void {
		slot.at = Math.max(slot.at, now());
	}

	/**
	 * Feishu answered 429: something else spends this app's budget too. Slow down; the refused
	 * request itself waits as long as Feishu says before it takes a new slot.
	 */
	backOff(): void {
		const at = now();
		// 429s of requests already in flight are one signal, not several
		if (this.cut && at - this.cut.at < this.windowMs) return;
		this.cut = { limit: this.currentLimit(at) * CUT, at };
	}

	/** Nobody has asked for a slot for a while, and nobody waits. */
	isIdle(at = now()): boolean {
		return this.queue.length === 0 && at - this.lastUse > IDLE_MS;
	}
}

/** Every limiter in this process, by what Feishu counts: one app's budget. */
const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for one app's budget: every execution and poll in this n8n process that
 * spends it paces together, at the lowest pace any of them asked for lately. Limiters idle for ten
 * minutes are dropped, so memory stays bounded.
 */
export function sharedLimiter(budgetKey: string, pace: number, windowMs: number): RateLimiter {
	const at = now();
	for (const [key, limiter] of shared) if (limiter.isIdle(at)) shared.delete(key);
	const key = `${budgetKey}|${windowMs}`;
	let limiter = shared.get(key);
	if (!limiter) shared.set(key, (limiter = new RateLimiter(pace, windowMs)));
	limiter.askPace(pace);
	return limiter;
}

/** Exponential back-off with full jitter: 0.5 s, 1 s, 2 s … capped at 16 s, each randomised. */
export function backoffDelay(attempt: number): number {
	const ceiling = Math.min(16_000, 500 * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}
