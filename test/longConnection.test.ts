/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The node's long-connection client against the simulated Feishu (endpoint call, WebSocket, pbbp2 frames):
 * events acknowledged and handed on once whole, pings, reconnects after drops and refusals, fatal refusals,
 * and a close that leaves nothing running. The `ws` package stands in for Node's built-in WebSocket (Node 20 here).
 */
import type { ITriggerFunctions } from 'n8n-workflow';
import WebSocket from 'ws';

import type { ConnectionLog, EndpointRefusal, SocketLike } from '../nodes/FeishuMinutes/longConnection/config';
import { FeishuMinutesLongConnectionTrigger } from '../nodes/FeishuMinutes/FeishuMinutesLongConnectionTrigger.node';
import { LongConnection } from '../nodes/FeishuMinutes/longConnection/connection';
import { requestEndpoint } from '../nodes/FeishuMinutes/longConnection/endpoint';
import { triggersRemembered } from '../nodes/FeishuMinutes/trigger/events';
import { DEFAULT_APP, FeishuSimulator, feishuEvent, MEETING_ENDED_EVENT, meetingEndedEvent, minuteEvent } from './simulator/FeishuSimulator';

let feishu: FeishuSimulator;
let connection: LongConnection | undefined;
let received: string[];
let fatal: EndpointRefusal[];
let warnings: string[];

/** What requestEndpoint needs of a trigger's context: n8n's httpRequest, here over fetch. */
const context = {
	helpers: {
		async httpRequest(options: { url: string; body: unknown; headers?: Record<string, string> }) {
			const response = await fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: JSON.stringify(options.body) });
			const text = await response.text();
			return { statusCode: response.status, body: text };
		},
	},
} as unknown as ITriggerFunctions;

const credentials = (secret = DEFAULT_APP.appSecret) => ({ deployment: 'custom', baseUrl: feishu.apiUrl, clientId: DEFAULT_APP.appId, clientSecret: secret });

function client(secret?: string): LongConnection {
	const log: ConnectionLog = { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message) };
	connection = new LongConnection({
		fetchEndpoint: async () => await requestEndpoint(context, credentials(secret)),
		openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
		onEvent: (payload) => received.push(Buffer.from(payload).toString('utf8')),
		onFatal: (refusal) => fatal.push(refusal),
		log,
		// before Feishu's first answer: its SDK defaults (120 s) would outlast a test
		initialConfig: { reconnectIntervalMs: 1000, reconnectNonceMs: 1000 },
	});
	return connection;
}

const until = async (check: () => boolean, ms = 10_000) => {
	const deadline = Date.now() + ms;
	while (!check() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
	return check();
};

beforeEach(async () => {
	feishu = await new FeishuSimulator({ longConnection: { pingIntervalS: 1, reconnectIntervalS: 1, reconnectNonceS: 1 } }).start();
	received = [];
	fatal = [];
	warnings = [];
});
afterEach(async () => {
	await connection?.close();
	connection = undefined;
	await feishu.stop();
});

test('connects, pings at Feishu\'s interval, and hands on each event once acknowledged, whole or in parts', async () => {
	expect(await client().start()).toBeUndefined();
	await feishu.longConnection.waitForConnections(1);

	const single = await feishu.longConnection.push(minuteEvent('obcnq3b9jl72l83w4f149w9c', 'ev-1'));
	expect(single).toMatchObject({ delivered: true, acked: true, ackCode: 200 });
	const split = minuteEvent('obcnsplitminute000000001', 'ev-2');
	expect(await feishu.longConnection.push(split, { fragments: 5 })).toMatchObject({ acked: true, ackCode: 200 });
	expect(received.map((json) => (JSON.parse(json) as { header: { event_id: string } }).header.event_id)).toEqual(['ev-1', 'ev-2']);
	expect(JSON.parse(received[1])).toEqual(split);
	expect(feishu.longConnection.badAcks).toBe(0);

	const pings = feishu.longConnection.pings;
	expect(await until(() => feishu.longConnection.pings >= pings + 2, 4000)).toBe(true);
	// the connection outlives Feishu's idle limit (3 × the ping interval) because it pings
	await new Promise((done) => setTimeout(done, 3500));
	expect(feishu.longConnection.connections).toBe(1);
	expect(feishu.longConnection.connectionsOpened).toBe(1);
});

test('after a drop, a server close or a refused handshake it reconnects with a new endpoint call, and events flow again', async () => {
	await client().start();
	await feishu.longConnection.waitForConnections(1);
	for (const kind of ['terminate', 'close'] as const) {
		await feishu.longConnection.drop(kind);
		await feishu.longConnection.waitForConnections(1, 10_000);
	}
	feishu.longConnection.refuseHandshake(403);
	await feishu.longConnection.drop('terminate');
	expect(await until(() => feishu.longConnection.connections === 1 && feishu.longConnection.connectionsOpened === 4, 15_000)).toBe(true);
	// one endpoint call per attempt: each URL is good for one connection
	expect(feishu.longConnection.endpointCalls).toBe(5);
	expect(await feishu.longConnection.push(minuteEvent('obcnq3b9jl72l83w4f149w9c', 'ev-after'))).toMatchObject({ acked: true });
	expect(received).toHaveLength(1);
	expect(fatal).toEqual([]);
});

test('garbage and text frames are ignored; the connection goes on', async () => {
	await client().start();
	await feishu.longConnection.waitForConnections(1);
	feishu.longConnection.pushRaw(Uint8Array.from([0x08, 0x80]));
	feishu.longConnection.pushRaw(Uint8Array.from({ length: 300 }, (_, index) => (index * 37) % 256));
	expect(await feishu.longConnection.push(minuteEvent('obcnq3b9jl72l83w4f149w9c', 'ev-3'))).toMatchObject({ acked: true });
	expect(received).toHaveLength(1);
	expect(warnings.some((warning) => warning.includes('not Feishu\'s format'))).toBe(true);
});

test('a wrong App Secret fails the start with 514 and its fix; nothing keeps running', async () => {
	const refusal = await client('wrong-secret').start();
	expect(refusal).toMatchObject({ fatal: true, message: expect.stringContaining('514') });
	expect(refusal?.description).toContain('Client Secret');
	expect(refusal?.message).not.toContain('wrong-secret');
	await new Promise((done) => setTimeout(done, 1500));
	expect(feishu.longConnection.endpointCalls).toBe(1);
	expect(feishu.longConnection.connectionsOpened).toBe(0);
});

test('busy at first (code 1) is retried; "too many connections" after a drop stops it with the reason', async () => {
	feishu.longConnection.refuseEndpoint(1, 1);
	expect(await client().start()).toBeUndefined();
	await feishu.longConnection.waitForConnections(1, 10_000);
	expect(feishu.longConnection.endpointCalls).toBe(2);

	feishu.longConnection.refuseEndpoint(1000040350);
	await feishu.longConnection.drop('terminate');
	expect(await until(() => fatal.length === 1, 10_000)).toBe(true);
	expect(fatal[0].message).toContain('too many connections');
	const calls = feishu.longConnection.endpointCalls;
	await new Promise((done) => setTimeout(done, 2500));
	expect(feishu.longConnection.endpointCalls).toBe(calls);
});

test('Feishu\'s settings from a pong are taken, within bounds: a ping interval of 0 does not make a tight loop', async () => {
	const started = client();
	await started.start();
	await feishu.longConnection.waitForConnections(1);
	feishu.longConnection.setClientConfig({ PingInterval: 0, ReconnectInterval: 3, ReconnectNonce: 2 });
	expect(await until(() => started.settings.reconnectIntervalMs === 3000, 4000)).toBe(true);
	expect(started.settings).toMatchObject({ pingIntervalMs: 1000, reconnectNonceMs: 2000 });
	const pings = feishu.longConnection.pings;
	await new Promise((done) => setTimeout(done, 2100));
	expect(feishu.longConnection.pings - pings).toBeLessThanOrEqual(3);
});

test('close ends the socket and every wait: no reconnect, no ping afterwards', async () => {
	const started = client();
	await started.start();
	await feishu.longConnection.waitForConnections(1);
	await started.close();
	connection = undefined;
	expect(await until(() => feishu.longConnection.connections === 0, 3000)).toBe(true);
	const { pings, endpointCalls } = feishu.longConnection;
	await new Promise((done) => setTimeout(done, 2500));
	expect(feishu.longConnection.pings).toBe(pings);
	expect(feishu.longConnection.endpointCalls).toBe(endpointCalls);
});

test('a half-open connection (nothing comes back to a ping) is closed and replaced', async () => {
	const sockets: Array<{ closedWith?: number; sent: number }> = [];
	let endpointCalls = 0;
	connection = new LongConnection({
		fetchEndpoint: async () => {
			endpointCalls++;
			return await Promise.resolve({ url: 'ws://127.0.0.1:1/ws?service_id=7', config: { pingIntervalMs: 1000 } });
		},
		openSocket: () => {
			const record: { closedWith?: number; sent: number } = { sent: 0 };
			sockets.push(record);
			const socket: SocketLike = {
				binaryType: 'blob',
				onopen: null,
				onmessage: null,
				onerror: null,
				onclose: null,
				send: () => void record.sent++,
				// a dead peer: the close is never confirmed
				close: (code?: number) => void (record.closedWith ??= code),
			};
			setTimeout(() => socket.onopen?.({}), 10);
			return socket;
		},
		onEvent: () => undefined,
		onFatal: (refusal) => fatal.push(refusal),
		log: { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message) },
		initialConfig: { reconnectNonceMs: 0 },
	});
	await connection.start();
	expect(await until(() => sockets.length === 2, 5000)).toBe(true);
	expect(sockets[0]).toMatchObject({ closedWith: 4000 });
	expect(endpointCalls).toBe(2);
	expect(warnings.some((warning) => warning.includes('no answer to a ping'))).toBe(true);
});

test('a Node.js without a WebSocket client: publishing fails with that reason, before anything is asked of Feishu', async () => {
	const global = globalThis as { WebSocket?: unknown };
	const builtIn = global.WebSocket;
	delete global.WebSocket;
	try {
		const node = { id: 'n', name: 'Long connection', type: 'x', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		const trigger = new FeishuMinutesLongConnectionTrigger().trigger.call({ getNode: () => node } as unknown as ITriggerFunctions);
		await expect(trigger).rejects.toThrow('The Node.js running n8n has no WebSocket client');
		await expect(trigger).rejects.toMatchObject({ description: expect.stringContaining('Node.js 22') });
	} finally {
		if (builtIn !== undefined) global.WebSocket = builtIn;
	}
	expect(feishu.requests).toHaveLength(0);
});

test('the trigger itself: an event is claimed and emitted; closing leaves no connection, no reconnect and no remembered IDs in this process', async () => {
	const global = globalThis as { WebSocket?: unknown };
	const builtIn = global.WebSocket;
	global.WebSocket = WebSocket;
	const emitted: unknown[] = [];
	const staticData: Record<string, unknown> = {};
	const node = { id: 'n', name: 'Long connection', type: 'n8n-nodes-feishu-minutes.feishuMinutesLongConnectionTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const parameters: Record<string, unknown> = { events: ['vc.meeting.all_meeting_ended_v1'], includeDetails: false, waitUntilReady: false };
	const trigger = {
		getNode: () => node,
		getWorkflow: () => ({ id: 'wf-long-connection' }),
		getMode: () => 'trigger',
		getCredentials: async () => await Promise.resolve({ ...credentials(), oauthTokenData: { access_token: 'u-none' } }),
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getWorkflowStaticData: () => staticData,
		logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
		emit: (data: unknown) => emitted.push(data),
		emitError: () => undefined,
		helpers: { ...context.helpers, returnJsonArray: (items: unknown[]) => items.map((json) => ({ json })) },
	} as unknown as ITriggerFunctions;
	try {
		const before = triggersRemembered();
		const response = await new FeishuMinutesLongConnectionTrigger().trigger.call(trigger);
		await feishu.longConnection.waitForConnections(1);
		const meeting = feishu.addMeeting({ id: '7100000000000000991', startTime: Date.now() - 3600_000, endTime: Date.now() - 60_000 });
		expect(await feishu.longConnection.push(feishuEvent(MEETING_ENDED_EVENT, meetingEndedEvent(meeting)))).toMatchObject({ acked: true });
		// the recording lookup fails here (no n8n to send it): the run still starts, with the reason
		expect(await until(() => emitted.length === 1)).toBe(true);
		expect(triggersRemembered()).toBe(before + 1);

		await response.closeFunction!();
		expect(await until(() => feishu.longConnection.connections === 0, 3000)).toBe(true);
		expect(triggersRemembered()).toBe(before);
		const calls = feishu.longConnection.endpointCalls;
		await new Promise((done) => setTimeout(done, 1500));
		expect(feishu.longConnection.endpointCalls).toBe(calls);
		// static data still holds the event, for a re-publish
		expect(Object.keys(staticData.events as object)).toHaveLength(2);
	} finally {
		global.WebSocket = builtIn;
	}
});

test('a handshake that never answers is given up after the open timeout, and tried again', async () => {
	let opened = 0;
	connection = new LongConnection({
		fetchEndpoint: async () => await Promise.resolve({ url: 'ws://127.0.0.1:1/ws?service_id=1', config: {} }),
		openSocket: () => {
			opened++;
			return { binaryType: 'blob', onopen: null, onmessage: null, onerror: null, onclose: null, send: () => undefined, close: () => undefined };
		},
		onEvent: () => undefined,
		onFatal: (refusal) => fatal.push(refusal),
		log: { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message) },
		initialConfig: { reconnectIntervalMs: 1000 },
		openTimeoutMs: 300,
	});
	expect(await connection.start()).toBeUndefined();
	expect(warnings[0]).toContain('no WebSocket handshake within 0.3 s');
	expect(await until(() => opened === 2, 3000)).toBe(true);
});
