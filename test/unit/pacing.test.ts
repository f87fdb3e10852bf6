/** The rate limiter, the download semaphore and the back-off, on their own, with a fake clock. */
import { backoffDelay, RateLimiter } from '../../nodes/FeishuMinutes/helpers/RateLimiter';
import { Semaphore } from '../../nodes/FeishuMinutes/helpers/Semaphore';

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

/** Starts `count` acquisitions at once and returns when each was granted, relative to now. */
async function grantTimes(limiter: RateLimiter, count: number, runFor: number): Promise<number[]> {
	const start = Date.now();
	const granted: number[] = [];
	for (let i = 0; i < count; i++) void limiter.acquire().then(() => granted.push(Date.now() - start));
	await jest.advanceTimersByTimeAsync(runFor);
	return granted;
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

	test('nobody starts before a pause Feishu asked for ends', async () => {
		const limiter = new RateLimiter(100);
		limiter.pauseUntil(Date.now() + 3000);

		expect(await grantTimes(limiter, 2, 4000)).toEqual([3000, 3000]);
	});

	test('a slot restarted later counts from then', async () => {
		const limiter = new RateLimiter(1);
		const slot = await limiter.acquire();
		await jest.advanceTimersByTimeAsync(500);
		limiter.restart(slot);

		const [next] = await grantTimes(limiter, 1, 3000);
		expect(next).toBeGreaterThanOrEqual(1000);
	});
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
