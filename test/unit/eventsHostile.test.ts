/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The Event Trigger against hostile and unlucky deliveries: clocks apart, replays past the dedupe memory,
 * token fields of the wrong type, huge bodies, and n8n's static data saved whole (last writer wins).
 */
import { createDecipheriv } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { readDelivery } from '../../nodes/FeishuMinutes/helpers/events';
import { delivery, encrypt } from '../simulator/events';

jest.mock('crypto', () => {
	const actual = jest.requireActual<typeof import('crypto')>('crypto');
	return { ...actual, createDecipheriv: jest.fn(actual.createDecipheriv) };
});

const KEY = 'encrypt-key-from-the-console';
const TOKEN = 'verification-token-from-the-console';
const NOW = Date.now();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const sec = (ms: number) => Math.floor(ms / 1000);

let serial = 0;
const event = (options: { createTime?: number | string; token?: unknown; id?: string } = {}) => ({
	schema: '2.0',
	header: {
		event_id: options.id ?? `ev-${++serial}`,
		event_type: 'minutes.minute.generated_v1',
		create_time: typeof options.createTime === 'string' ? options.createTime : String(options.createTime ?? NOW),
		token: 'token' in options ? options.token : TOKEN,
		app_id: 'cli_x',
		tenant_key: 't',
	},
	event: { minute_token: 'obcnq3b9jl72l83w4f149w9c' },
});

const signedRead = (payload: object, timestamp = sec(NOW)) => {
	const { body, headers } = delivery(payload, { encryptKey: KEY }, timestamp);
	return readDelivery({ rawBody: Buffer.from(body), headers, encryptKey: KEY, verificationToken: TOKEN, now: NOW });
};
const tokenRead = (payload: object) => readDelivery({ rawBody: Buffer.from(JSON.stringify(payload)), headers: {}, verificationToken: TOKEN, now: NOW });

test('Feishu\'s clock 6 or 14 minutes ahead of n8n\'s: signed events are read; 16 minutes ahead is refused', () => {
	for (const ahead of [6, 14]) {
		expect(signedRead(event({ createTime: NOW + ahead * MINUTE }), sec(NOW + ahead * MINUTE))).toMatchObject({ kind: 'event' });
	}
	expect(signedRead(event({ createTime: NOW + 16 * MINUTE }), sec(NOW + 16 * MINUTE))).toMatchObject({ kind: 'refused', status: 401 });
	// Feishu's last retry, about 7 h after the event, with n8n's clock 15 minutes ahead: still read
	expect(signedRead(event({ createTime: NOW - 7 * HOUR - 20 * MINUTE }), sec(NOW - 20 * MINUTE))).toMatchObject({ kind: 'event' });
});

test('an event created longer ago than the dedupe memory covers is refused, with only a Verification Token and signed', () => {
	const captured = event({ createTime: NOW - 25 * HOUR });
	expect(tokenRead(captured)).toMatchObject({ kind: 'refused', status: 401, reason: expect.stringContaining('create_time') });
	// re-signed now (a replay by someone who has the key cannot be told apart, but an old event can)
	expect(signedRead(event({ createTime: NOW - 9 * HOUR }))).toMatchObject({ kind: 'refused', status: 401 });
	expect(tokenRead(event({ createTime: NOW + 16 * MINUTE }))).toMatchObject({ kind: 'refused', status: 401 });
	expect(tokenRead(event({ createTime: 'yesterday' }))).toMatchObject({ kind: 'refused', status: 400, reason: expect.stringContaining('create_time') });
	const { header, ...headless } = event();
	expect(tokenRead({ ...headless, header: { ...header, create_time: undefined } })).toMatchObject({ kind: 'refused', status: 400 });
});

test('a token field that is an object, an array or a number is answered 403 (a challenge field 400) without throwing', () => {
	const tokens = [{ toString: 1 }, { toString: {}, valueOf: {} }, [{ toString: 1 }], 42, {}, null];
	for (const read of [tokenRead, signedRead]) {
		for (const token of tokens) {
			expect(() => read(event({ token }))).not.toThrow();
			expect(read(event({ token }))).toMatchObject({ kind: 'refused', status: 403 });
			expect(read({ type: 'url_verification', challenge: 'c', token })).toMatchObject({ kind: 'refused', status: 403 });
		}
		expect(read({ type: 'url_verification', challenge: { toString: 1 }, token: TOKEN })).toMatchObject({ kind: 'refused', status: 400 });
	}
});

describe('nothing is decrypted before the signature and the size are checked', () => {
	const decipher = createDecipheriv as jest.Mock;
	beforeEach(() => decipher.mockClear());
	const huge = (bytes: number) => Buffer.from(JSON.stringify({ encrypt: 'A'.repeat(bytes) }));

	test('a 16 MB unsigned body is refused as too large, a 600 KB one as unsigned, neither decrypted', () => {
		const big = readDelivery({ rawBody: huge(16 * 1024 * 1024), headers: {}, encryptKey: KEY, verificationToken: TOKEN, now: NOW });
		expect(big).toMatchObject({ kind: 'refused', status: 413 });
		const unsigned = readDelivery({ rawBody: huge(600 * 1024), headers: {}, encryptKey: KEY, verificationToken: TOKEN, now: NOW });
		expect(unsigned).toMatchObject({ kind: 'refused', status: 401, reason: 'the event is not signed' });
		expect(decipher).not.toHaveBeenCalled();
	});

	test('an encrypted body under a forged signature is refused undecrypted; a genuine one is decrypted once', () => {
		const body = JSON.stringify({ encrypt: encrypt(JSON.stringify(event()), KEY) });
		const forged = { 'x-lark-request-timestamp': String(sec(NOW)), 'x-lark-request-nonce': 'n', 'x-lark-signature': 'f'.repeat(64) };
		expect(readDelivery({ rawBody: Buffer.from(body), headers: forged, encryptKey: KEY, now: NOW })).toMatchObject({ status: 401 });
		expect(decipher).not.toHaveBeenCalled();
		expect(signedRead(event())).toMatchObject({ kind: 'event' });
		expect(decipher).toHaveBeenCalledTimes(1);
	});
});

// ---- the trigger in n8n's webhook path: static data loaded per request, saved whole after webhook() ----

type Trigger = typeof import('../../nodes/FeishuMinutes/trigger/events');
/** One n8n process: its own copy of the node's module (module-level memory is per process). */
const newProcess = (): Trigger => {
	let loaded: Trigger | undefined;
	jest.isolateModules(() => {
		loaded = jest.requireActual<Trigger>('../../nodes/FeishuMinutes/trigger/events');
	});
	return loaded!;
};

/** The workflow's row in n8n's database: the static data column. */
interface Database {
	node: IDataObject;
}

/** n8n's handling of one request, split where concurrent requests interleave: load, webhook(), save. */
function request(process: Trigger, db: Database, payload: object) {
	const data = JSON.parse(JSON.stringify(db.node)) as IDataObject;
	let changed = false;
	const staticData = new Proxy(data, { set: (target, key, value) => ((changed = true), Reflect.set(target, key, value)) });
	let status = 0;
	let started = false;
	const context = {
		getRequestObject: () => ({ rawBody: Buffer.from(JSON.stringify(payload)), headers: {}, body: {} }),
		getResponseObject: () => ({ status: (code: number) => ((status = code), { json: () => undefined }) }),
		getCredentials: async () => ({ verificationToken: TOKEN }),
		getNodeParameter: (name: string, fallback: unknown) => (name === 'events' ? ['minutes.minute.generated_v1'] : name === 'includeDetails' ? false : fallback),
		getWorkflowStaticData: () => staticData,
		getMode: () => 'webhook',
		getWorkflow: () => ({ id: 'wf-1' }),
		getNode: () => ({ name: 'Feishu Minutes Event Trigger' }),
		logger: { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined },
		helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
	const run = process.receiveDelivery(context).then((result) => {
		started = result.workflowData !== undefined;
		return { status, started };
	});
	// n8n saves the whole column when a top-level key was set: the last save wins
	const save = () => {
		if (changed) db.node = JSON.parse(JSON.stringify(data)) as IDataObject;
	};
	return { run, save };
}

/** Requests that arrive together: all load before any saves; saves land in the order given. */
async function together(...requests: Array<ReturnType<typeof request>>) {
	const results = await Promise.all(requests.map(async (r) => await r.run));
	for (const r of requests) r.save();
	return results;
}

async function once(process: Trigger, db: Database, payload: object) {
	const [result] = await together(request(process, db, payload));
	return result;
}

test('two events at once in one process, each request saving the static data it loaded: a later copy of either starts nothing', async () => {
	const n8n = newProcess();
	const db: Database = { node: {} };
	const [a, b] = [event(), event()];
	expect(await together(request(n8n, db, a), request(n8n, db, b))).toEqual([
		{ status: 200, started: true },
		{ status: 200, started: true },
	]);
	expect(await once(n8n, db, a)).toEqual({ status: 200, started: false });
	expect(await once(n8n, db, b)).toEqual({ status: 200, started: false });
});

test('a record lost to another process\'s save is written again by its own process\'s next save', async () => {
	const [main, webhook] = [newProcess(), newProcess()];
	const db: Database = { node: {} };
	const [a, b, c] = [event(), event(), event()];
	// main saves a, then webhook's save of b (loaded before a was saved) overwrites it
	await together(request(main, db, a), request(webhook, db, b));
	expect(Object.keys(db.node.events as IDataObject)).toEqual([b.header.event_id]);
	await once(main, db, c);
	expect(await once(webhook, db, a)).toEqual({ status: 200, started: false });
});

test('the dedupe memory full: an event older than every one remembered counts as seen, not as new', async () => {
	const n8n = newProcess();
	const remembered = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`old-${i}`, NOW - HOUR + i]));
	const db: Database = { node: { events: remembered } };
	expect(await once(n8n, db, event())).toEqual({ status: 200, started: true });
	// old-0, the oldest, had to go: its copy must not start the workflow again
	expect(await once(newProcess(), db, event({ id: 'old-0', createTime: NOW - HOUR }))).toEqual({ status: 200, started: false });
	expect(await once(newProcess(), db, event({ createTime: NOW - 2 * HOUR }))).toEqual({ status: 200, started: false });
});

test('a delivery whose token is an object is answered 403 by the webhook, which does not throw', async () => {
	const db: Database = { node: {} };
	await expect(once(newProcess(), db, event({ token: { toString: 1 } }))).resolves.toEqual({ status: 403, started: false });
	expect(db.node).toEqual({});
});

test('unpublishing leaves nothing of the trigger in the process\'s memory; static data still knows the event', async () => {
	const n8n = newProcess();
	const db: Database = { node: {} };
	const seen = event();
	expect(await once(n8n, db, seen)).toEqual({ status: 200, started: true });
	expect(n8n.triggersRemembered()).toBe(1);

	n8n.forgetAcceptedEvents('wf-1', 'Feishu Minutes Event Trigger');

	expect(n8n.triggersRemembered()).toBe(0);
	// published again: the copy is still known, from the workflow's static data
	expect(await once(n8n, db, seen)).toEqual({ status: 200, started: false });
});
