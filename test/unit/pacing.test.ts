/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The rate limiter, the download semaphore and the back-off, on their own, with a fake clock. */
import { backoffDelay, RateLimiter, sharedLimiter } from '../../nodes/FeishuMinutes/helpers/RateLimiter';
import { Semaphore } from '../../nodes/FeishuMinutes/helpers/Semaphore';

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

/** Starts `count` acquisitions at once (each answered at once) and returns when each was granted, relative to now. */
async function grantTimes(limiter: RateLimiter, count: number, runFor: number): Promise<number[]> {
	const start = Date.now();
	const granted: number[] = [];
	for (let i = 0; i < count; i++) {
		void limiter.acquire().then((slot) => {
			limiter.answered(slot);
			granted.push(Date.now() - start);
		});
	}
	await jest.advanceTimersByTimeAsync(runFor);
	return granted;
}

/**
 * Feishu's view: `count` requests through the limiter, each arriving (and answered) after a latency drawn
 * from [minMs, maxMs]. Returns the arrival times and when the last answer came.
 */
async function arrivalsWithLatency(limiter: RateLimiter, count: number, minMs: number, maxMs: number, seed: number): Promise<{ arrivals: number[]; lastAnswer: number }> {
	const random = seededRandom(seed);
	const start = Date.now();
	const arrivals: number[] = [];
	let lastAnswer = 0;
	for (let i = 0; i < count; i++) {
		void limiter.acquire().then(async (slot) => {
			await new Promise((done) => setTimeout(done, minMs + random() * (maxMs - minMs)));
			arrivals.push(Date.now() - start);
			limiter.answered(slot);
			lastAnswer = Date.now() - start;
		});
	}
	for (let waited = 0; arrivals.length < count && waited < 600_000; waited += 1000) await jest.advanceTimersByTimeAsync(1000);
	return { arrivals, lastAnswer };
}

/** A repeatable stream of numbers in [0, 1) (mulberry32), so a latency test is the same every run. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The most arrivals in any window of `windowMs`. */
function busiestWindow(arrivals: number[], windowMs: number): number {
	return Math.max(...arrivals.map((at) => arrivals.filter((other) => other >= at && other < at + windowMs).length));
}

describe('RateLimiter', () => {
	test('lets at most `limit` requests start in any sliding window', async () => {
		const granted = await grantTimes(new RateLimiter(5), 12, 5000);

		expect(granted).toHaveLength(12);
		for (let i = 5; i < granted.length; i++) expect(granted[i] - granted[i - 5]).toBeGreaterThanOrEqual(1000);
		expect(granted.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
	});

	test('a per-minute budget spaces the 101st request a minute after the first', async () => {
		const granted = await grantTimes(new RateLimiter(100, 60_000), 101, 70_000);

		expect(granted).toHaveLength(101);
		expect(granted[99]).toBe(0);
		expect(granted[100]).toBeGreaterThanOrEqual(60_000);
	});

	test('a fractional rate (0.5/s) allows one request per two seconds', async () => {
		const granted = await grantTimes(new RateLimiter(0.5), 3, 10_000);

		expect(granted[1] - granted[0]).toBeGreaterThanOrEqual(2000);
		expect(granted[2] - granted[1]).toBeGreaterThanOrEqual(2000);
	});

	test('after a 429 the pace is cut to 70 %, then climbs back by a fifth of the limit per second', async () => {
		const limiter = new RateLimiter(10);
		limiter.backOff();
		expect(limiter.currentLimit()).toBe(7);

		await jest.advanceTimersByTimeAsync(1000);
		expect(limiter.currentLimit()).toBeCloseTo(9, 5);
		await jest.advanceTimersByTimeAsync(1000);
		expect(limiter.currentLimit()).toBe(10);
	});

	test('a burst of 429s within one window cuts once; a 429 every window holds the pace near half', () => {
		const limiter = new RateLimiter(10);
		for (let i = 0; i < 5; i++) limiter.backOff();
		expect(limiter.currentLimit()).toBe(7);
		for (let round = 0; round < 30; round++) {
			jest.advanceTimersByTime(1001);
			limiter.backOff();
		}
		// the fixed point of x = 0.7 (x + 2): 4.67
		expect(limiter.currentLimit()).toBeGreaterThan(4.5);
		expect(limiter.currentLimit()).toBeLessThan(4.8);
	});

	test('the cut pace is what the limiter hands out, and waiting callers speed up as it climbs back', async () => {
		const limiter = new RateLimiter(10);
		limiter.backOff();
		const granted = await grantTimes(limiter, 40, 6000);
		const inSecond = (second: number) => granted.filter((at) => at >= second * 1000 && at < (second + 1) * 1000).length;
		expect(inSecond(0)).toBeLessThanOrEqual(8);
		expect(inSecond(3)).toBe(10);
		expect(granted).toHaveLength(40);
		// and never more than 10 in any one-second window
		for (const at of granted) expect(granted.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(10);
	});

	test.each([
		['5/s', 5, 1000, 200],
		['100/min', 100, 60_000, 300],
	])('latency varying 20–200 ms never puts one request too many in Feishu\'s window (%s), at ≤ 1.10 × the floor', async (_name, limit, windowMs, count) => {
		const ratios: number[] = [];
		for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
			const limiter = new RateLimiter(limit, windowMs);
			const { arrivals, lastAnswer } = await arrivalsWithLatency(limiter, count, 20, 200, seed);

			expect(busiestWindow(arrivals, windowMs)).toBeLessThanOrEqual(limit);
			// the floor, as `npm run bench` reckons it: `count` requests at `limit` per window
			ratios.push(lastAnswer / ((count / limit) * windowMs));
		}
		expect(ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length).toBeLessThanOrEqual(1.1);
	});

	test('a steady latency costs nothing: 50 requests at 400 ms each take no longer than at the old send-only pace', async () => {
		const { arrivals, lastAnswer } = await arrivalsWithLatency(new RateLimiter(5), 50, 400, 400, 1);

		expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(5);
		// 9 windows of 1 s (+ the margin) after the first five, then the last answer's 400 ms
		expect(lastAnswer).toBeLessThanOrEqual(9 * 1050 + 400 + 100);
	});

	test('a wall-clock step backwards does not stall it', async () => {
		const limiter = new RateLimiter(5);
		await grantTimes(limiter, 5, 0);
		jest.setSystemTime(Date.now() - 60 * 60 * 1000);

		const granted = await grantTimes(limiter, 5, 3000);
		expect(granted).toHaveLength(5);
		expect(Math.max(...granted)).toBeLessThanOrEqual(1100);
	});

	test('an unanswered request holds its place until it must have reached Feishu', async () => {
		const limiter = new RateLimiter(1);
		await limiter.acquire();

		const [next] = await grantTimes(limiter, 1, 5000);
		expect(next).toBeGreaterThanOrEqual(2000 + 1000);
	});

	test('a slot restarted later counts from then', async () => {
		const limiter = new RateLimiter(1);
		const slot = await limiter.acquire();
		await jest.advanceTimersByTimeAsync(500);
		limiter.answered(slot);
		limiter.restart(slot);

		const [next] = await grantTimes(limiter, 1, 3000);
		expect(next).toBeGreaterThanOrEqual(1000);
	});
});

test('one limiter per app budget in the process, at the lowest pace asked for lately; idle ones are dropped', async () => {
	const a = sharedLimiter('https://open.feishu.cn|cli_a|minutes', 5, 1000);
	expect(sharedLimiter('https://open.feishu.cn|cli_a|minutes', 5, 1000)).toBe(a);
	// executions with different Requests Per Second share the app's one budget, at the lower pace
	expect(sharedLimiter('https://open.feishu.cn|cli_a|minutes', 4.9, 1000)).toBe(a);
	expect(a.currentLimit()).toBe(4.9);
	jest.advanceTimersByTime(61 * 1000);
	expect(sharedLimiter('https://open.feishu.cn|cli_a|minutes', 5, 1000).currentLimit()).toBe(5);
	expect(sharedLimiter('https://open.feishu.cn|cli_b|minutes', 5, 1000)).not.toBe(a);
	expect(sharedLimiter('https://open.feishu.cn|cli_a|search', 100, 60_000)).not.toBe(a);
	await a.acquire();
	jest.advanceTimersByTime(11 * 60 * 1000);
	expect(sharedLimiter('https://open.feishu.cn|cli_a|minutes', 5, 1000)).not.toBe(a);
});

test('Semaphore: never more than `limit` tasks at once, and every task runs', async () => {
	const semaphore = new Semaphore(2);
	let running = 0;
	let most = 0;
	const task = async (ms: number) => {
		running++;
		most = Math.max(most, running);
		await new Promise((done) => setTimeout(done, ms));
		running--;
		return ms;
	};
	const results = Promise.all([30, 10, 20, 10, 5].map(async (ms) => await semaphore.run(async () => await task(ms))));
	await jest.advanceTimersByTimeAsync(100);

	expect(await results).toEqual([30, 10, 20, 10, 5]);
	expect(most).toBe(2);
});

test('Semaphore: a failing task frees its slot', async () => {
	const semaphore = new Semaphore(1);
	await expect(semaphore.run(async () => await Promise.reject(new Error('boom')))).rejects.toThrow('boom');
	await expect(semaphore.run(async () => await Promise.resolve('next'))).resolves.toBe('next');
});

test('backoffDelay grows from 0.5 s and is capped at 16 s, with jitter in the upper half', () => {
	for (let attempt = 0; attempt < 10; attempt++) {
		const ceiling = Math.min(16_000, 500 * 2 ** attempt);
		for (let i = 0; i < 50; i++) {
			const delay = backoffDelay(attempt);
			expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
			expect(delay).toBeLessThanOrEqual(ceiling);
		}
	}
});
