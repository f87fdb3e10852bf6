/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code runs in Node.js, not inside n8n: it reads n8n's logger to see what the trigger logged */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject } from 'n8n-workflow';

import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { DEFAULT_APP } from './simulator/FeishuSimulator';
import { connectUser, startFeishu } from './harness/fixtures';
import { pollTrigger, type CredentialStore } from './harness/runWorkflow';
import { DEFAULT_CLIENT_OPTIONS } from '../nodes/FeishuMinutes/actions/options';
import { RATE_BUDGETS } from '../nodes/FeishuMinutes/transport/endpoints';
import { type FailingMinute, FIRST_RETRY_MS, MAX_ATTEMPTS } from '../nodes/FeishuMinutes/trigger/recovery';

let feishu: FeishuSimulator;
let store: CredentialStore;
let staticData: IDataObject;

const start = async (relax: Parameters<typeof startFeishu>[0] = {}) => {
	({ feishu, store } = await startFeishu(relax));
	connectUser(feishu, store);
	staticData = {};
};
afterEach(async () => await feishu.stop());

const token = (n: number) => `new${String(n).padStart(21, '0')}`;
const poll = async (parameters: IDataObject = {}) =>
	(await pollTrigger({ waitUntilReady: true, ...parameters }, { store, staticData })).map((item) => String(item.json.minuteToken));

describe('a minute on which Feishu keeps failing (2091006)', () => {
	beforeEach(async () => await start());

	test('does not hold back newer minutes; it is retried with back-off, then given up and logged', async () => {
		const warn = jest.spyOn(Container.get(Logger), 'warn');
		await poll();
		const stuck = feishu.addMinute({ token: token(1), createTime: Date.now(), readyAfterPolls: 1000 });
		expect(await poll()).toEqual([]);

		stuck.mediaError = 2091006; // "service internal error", on every request from now on
		feishu.addMinute({ token: token(2), createTime: Date.now() });
		expect(await poll()).toEqual([token(2)]);

		// backed off: the next poll does not ask about it, and new minutes flow
		const asked = () => feishu.requestsTo(token(1)).length;
		const askedBefore = asked();
		feishu.addMinute({ token: token(3), createTime: Date.now() });
		expect(await poll()).toEqual([token(3)]);
		expect(asked()).toBe(askedBefore);
		const failing = staticData.failing as Record<string, FailingMinute>;
		expect(failing[token(1)].attempts).toBe(1);
		expect(failing[token(1)].retryAt).toBeGreaterThan(Date.now() + FIRST_RETRY_MS - 60_000);

		// its last allowed attempt comes: it is tried, given up, logged, and never asked about again
		failing[token(1)] = { ...failing[token(1)], attempts: MAX_ATTEMPTS - 1, retryAt: Date.now() - 1 };
		expect(await poll()).toEqual([]);
		expect(asked()).toBeGreaterThan(askedBefore);
		expect(staticData.failing).toEqual({});
		expect(warn).toHaveBeenCalledWith(expect.stringContaining(`giving up on minute ${token(1)} after ${MAX_ATTEMPTS} failed attempts`));
		const { access_token: accessToken } = store.get('feishuOAuth2Api').oauthTokenData as IDataObject;
		for (const secret of [DEFAULT_APP.appSecret, String(accessToken)]) expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);

		const askedAfter = asked();
		stuck.mediaError = undefined;
		expect(await poll()).toEqual([]);
		expect(asked()).toBe(askedAfter);
		warn.mockRestore();
	});

	test('a failing minute that Feishu answers again on its retry is emitted then, once', async () => {
		await poll();
		const flaky = feishu.addMinute({ token: token(1), createTime: Date.now(), mediaError: 2091006 });
		staticData.pending = { [token(1)]: Date.now() }; // found earlier, as a pending minute
		feishu.addMinute({ token: token(2), createTime: Date.now() });
		expect(await poll()).toEqual([token(2)]);

		flaky.mediaError = undefined;
		expect(await poll()).toEqual([]); // not yet: its retry time has not come
		(staticData.failing as Record<string, FailingMinute>)[token(1)].retryAt = Date.now() - 1;
		expect(await poll()).toEqual([token(1)]);
		expect(await poll()).toEqual([]);
		expect(staticData.failing).toEqual({});
	});
});

describe('Start From a date with more than 6,000 minutes since', () => {
	const count = 6500;
	const searchBudget = RATE_BUDGETS.search as { limit: number };
	const paced = { search: searchBudget.limit, perSecond: DEFAULT_CLIENT_OPTIONS.requestsPerSecond };

	beforeEach(async () => {
		// this test counts search requests per poll; at Feishu's pace (100 searches a minute, 5 reads a
		// second) the 6,500 checks alone would take 22 minutes, so both budgets are relaxed by name
		await start({ relax: ['rateLimits', 'searchBudget'] });
		searchBudget.limit = 100_000;
		DEFAULT_CLIENT_OPTIONS.requestsPerSecond = 1000;
	});
	afterEach(() => {
		searchBudget.limit = paced.search;
		DEFAULT_CLIENT_OPTIONS.requestsPerSecond = paced.perSecond;
	});

	test('is caught up in bounded steps: every minute once, oldest first, the mark moving', async () => {
		const now = Date.now();
		const startTime = new Date(now - 24 * 3600_000).toISOString();
		// a day of minutes, one every 20 s, then a burst of 2,500 in the last 20 minutes
		const createTimes = Array.from({ length: count }, (_, i) => (i < 4000 ? now - 23 * 3600_000 + i * 20_000 : now - 20 * 60_000 + (i - 4000) * 400));
		createTimes.forEach((createTime, i) => feishu.addMinute({ token: token(i), createTime }));

		const emitted: string[] = [];
		const marks: number[] = [];
		let mostSearches = 0;
		for (let polls = 0; polls < 100 && emitted.length < count; polls++) {
			const searchesBefore = feishu.requestsTo('/search').length;
			emitted.push(...(await poll({ startFrom: 'date', startTime, waitUntilReady: false })));
			mostSearches = Math.max(mostSearches, feishu.requestsTo('/search').length - searchesBefore);
			// how far the search has got: while catching up its own mark, then the poll time
			marks.push(Number(staticData.searchedTo ?? staticData.since));
		}

		expect(emitted).toEqual(Array.from({ length: count }, (_, i) => token(i)));
		// 3 windows a poll at most, each ≤ 11 pages of 30; the old code spent 200 and failed
		expect(mostSearches).toBeLessThanOrEqual(33);
		expect(marks).toEqual([...marks].sort((a, b) => a - b));
		expect(marks[0]).toBeLessThan(marks[marks.length - 1]);
		expect(await poll({ startFrom: 'date', startTime, waitUntilReady: false })).toEqual([]);
	});
});
