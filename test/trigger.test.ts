/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
import type { IDataObject } from 'n8n-workflow';

import type { FeishuSimulator } from './simulator/FeishuSimulator';
import { READY_TOKEN, connectUser, startFeishu } from './harness/fixtures';
import { pollTrigger, type CredentialStore } from './harness/runWorkflow';
import { boundPending } from '../nodes/FeishuMinutes/trigger/poll';

let feishu: FeishuSimulator;
let store: CredentialStore;
let staticData: IDataObject;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	connectUser(feishu, store);
	staticData = {};
});
afterEach(async () => await feishu.stop());

const token = (n: number) => `new${String(n).padStart(21, '0')}`;
const poll = async (parameters: IDataObject = {}) =>
	(await pollTrigger({ waitUntilReady: true, ...parameters }, { store, staticData })).map((item) => item.json.minuteToken);

test('first activation starts from now: earlier minutes are not emitted', async () => {
	expect(await poll()).toEqual([]);
	expect(feishu.requestsTo('/search')).toHaveLength(1);
});

test('minutes created between polls are emitted once each, oldest first, with their details', async () => {
	await poll();
	feishu.addMinute({ token: token(2), title: 'Second', createTime: Date.now() + 20 });
	feishu.addMinute({ token: token(1), title: 'First', createTime: Date.now() + 10 });

	const items = await pollTrigger({ waitUntilReady: true }, { store, staticData });
	expect(items.map((item) => item.json.minuteToken)).toEqual([token(1), token(2)]);
	expect(items[0].json).toMatchObject({ title: 'First', url: `https://sample.feishu.cn/minutes/${token(1)}` });

	expect(await poll()).toEqual([]);
	feishu.addMinute({ token: token(3), createTime: Date.now() });
	expect(await poll()).toEqual([token(3)]);
});

test('a restart in between (static data saved and reloaded) neither loses nor repeats a minute', async () => {
	await poll();
	feishu.addMinute({ token: token(1), createTime: Date.now() });
	expect(await poll()).toEqual([token(1)]);

	staticData = JSON.parse(JSON.stringify(staticData)) as IDataObject; // what n8n stored, read back after a restart
	feishu.addMinute({ token: token(2), createTime: Date.now() });
	expect(await poll()).toEqual([token(2)]);
});

test('Start From a date also emits the minutes created since then', async () => {
	const startTime = new Date(Date.now() - 3600_000).toISOString();
	feishu.addMinute({ token: token(1), createTime: Date.now() - 1800_000 });
	feishu.addMinute({ token: token(2), createTime: Date.now() - 7200_000 });

	expect(await poll({ startFrom: 'date', startTime })).toEqual([token(1)]);
	expect(await poll({ startFrom: 'date', startTime })).toEqual([]);
});

test('Wait Until Media Is Ready holds back a minute still being transcribed until a later poll', async () => {
	await poll();
	feishu.addMinute({ token: token(1), createTime: Date.now(), readyAfterPolls: 1 });

	expect(await poll()).toEqual([]);
	expect(await poll()).toEqual([token(1)]);
	expect(await poll()).toEqual([]);
});

test('in the editor (manual), it shows the newest minute of the last week and remembers nothing', async () => {
	feishu.addMinute({ token: token(1), createTime: Date.now() - 3600_000 });
	const items = await pollTrigger({}, { store, staticData, mode: 'manual' });

	expect(items.map((item) => item.json.minuteToken)).toEqual([token(1)]);
	expect(staticData).toEqual({});
	expect(items[0].json.minuteToken).not.toBe(READY_TOKEN);
});

test('a minute that shows up in search only after the poll that should have seen it is still emitted, once', async () => {
	await poll();
	// created before the next poll starts, but not yet searchable then
	const late = { token: token(1), createTime: Date.now(), mediaError: 2091002 };
	feishu.addMinute(late);
	await new Promise((done) => setTimeout(done, 20));
	expect(await poll()).toEqual([]);
	feishu.addMinute({ ...late, mediaError: undefined });
	expect(await poll()).toEqual([token(1)]);
	expect(await poll()).toEqual([]);
});

describe('the trigger never wedges', () => {
	test.each([
		['deleted', 2091004],
		['no longer readable', 2091005],
	])('a pending minute that is then %s is dropped; the next poll emits new minutes', async (_case, code) => {
		await poll();
		const stuck = feishu.addMinute({ token: token(1), createTime: Date.now(), readyAfterPolls: 1000 });
		expect(await poll()).toEqual([]);
		expect(Object.keys(staticData.pending as object)).toEqual([token(1)]);

		stuck.mediaError = code;
		feishu.addMinute({ token: token(2), createTime: Date.now() });
		expect(await poll()).toEqual([token(2)]);
		expect(staticData.pending).toEqual({});
		expect(await poll()).toEqual([]);
	});

	test('a minute still not ready after 24 hours is given up', async () => {
		await poll();
		feishu.addMinute({ token: token(1), createTime: Date.now(), readyAfterPolls: 1000 });
		await poll();
		staticData.pending = { [token(1)]: Date.now() - 25 * 3600_000 };

		expect(await poll()).toEqual([]);
		expect(staticData.pending).toEqual({});
	});

	test('pending is bounded in count: the newest 100 are kept', () => {
		const now = Date.now();
		const pending = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [token(i), now - i * 1000]));
		const logger = { warn: jest.fn() };
		const kept = boundPending({ logger } as never, pending, now);

		expect(Object.keys(kept)).toEqual(Array.from({ length: 100 }, (_, i) => token(i)));
		expect(logger.warn).toHaveBeenCalledTimes(30);
	});

	test('state saved by the previous version (ISO times, a pending list) is read and carried on', async () => {
		staticData = {
			startedAt: new Date(Date.now() - 60_000).toISOString(),
			since: new Date(Date.now() - 60_000).toISOString(),
			seen: {},
			pending: [],
		};
		feishu.addMinute({ token: token(1), createTime: Date.now() });
		expect(await poll()).toEqual([token(1)]);
		expect(typeof staticData.since).toBe('number');
	});
});

describe.each([
	['ahead of', -15 * 60_000],
	['behind', 15 * 60_000],
])('n8n\'s clock 15 minutes %s Feishu\'s', (_case, skew) => {
	test('every minute is emitted exactly once, and none from before activation', async () => {
		feishu.addMinute({ token: token(90), createTime: Date.now() + skew - 60_000 });
		expect(await poll()).toEqual([]);
		const emitted: string[] = [];
		for (let round = 1; round <= 4; round++) {
			feishu.addMinute({ token: token(round), createTime: Date.now() + skew });
			emitted.push(...((await poll()) as string[]));
		}
		emitted.push(...((await poll()) as string[]));
		expect(emitted).toEqual([token(1), token(2), token(3), token(4)]);
	});
});

test('Fetch Test Event shows the newest minute, whatever order search relevance gives', async () => {
	for (const [n, hoursAgo] of [[1, 3], [2, 1], [3, 2], [4, 5]]) feishu.addMinute({ token: token(n), createTime: Date.now() - hoursAgo * 3600_000 });
	const items = await pollTrigger({}, { store, staticData, mode: 'manual' });

	expect(items.map((item) => item.json.minuteToken)).toEqual([token(2)]);
	expect(JSON.parse(feishu.requestsTo('/search')[0].body ?? '{}').sorter).toBe('create_time_desc');
});

test('with the app credential, the trigger searches as the app', async () => {
	const items = await pollTrigger({ authentication: 'tenantToken', waitUntilReady: true }, { store, staticData });
	expect(items).toEqual([]);
	expect(feishu.requestsTo('/search')[0].authorization).toMatch(/^Bearer t-/);
});
