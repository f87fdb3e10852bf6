/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The simulated long connection, driven as Feishu's SDKs drive the real one (the `ws` client + the frame codec,
 * no n8n): the endpoint and its refusals, handshake refusals, single-use URLs, ping/pong, idle closes, pushed
 * events (whole and fragmented), acks good and bad, redelivery, one client per event, the limit and drops.
 */
import { WebSocket } from 'ws';

import { DEFAULT_APP, FeishuSimulator, type LongConnectionOptions, minuteEvent, type Rule } from '../simulator/FeishuSimulator';
import { type Frame, decodeFrame, encodeFrame, headerOf } from '../simulator/pbbp2';
import * as lc from './longConnectionClient';
import { ack, autoAck, events, ping, refused, sleep, validUtf8, waitFor } from './longConnectionClient';

const utf8 = new TextEncoder();
const minute = (n: number) => `obcn${String(n).padStart(20, '0')}`;

let feishu: FeishuSimulator;
afterEach(async () => await feishu?.stop());

async function start(longConnection: LongConnectionOptions = {}, relax: Rule[] = []): Promise<FeishuSimulator> {
	feishu = await new FeishuSimulator({ longConnection, relax }).start();
	return feishu;
}

const endpoint = async (body?: unknown) => await lc.endpoint(feishu, body);
const freshUrl = async () => await lc.freshUrl(feishu);
const connect = async (url?: string) => await lc.connect(feishu, url);


describe('frame codec (test side)', () => {
	test('encodes a ping byte for byte as the field table says, and round-trips uint64 and negative int32', () => {
		const bytes = encodeFrame({ seqId: 0n, logId: 0n, service: 1, method: 0, headers: [{ key: 'type', value: 'ping' }] });
		expect(Buffer.from(bytes).toString('hex')).toBe('08001000180120002a0c0a04747970651204' + Buffer.from('ping').toString('hex'));
		const frame: Frame = { seqId: 2n ** 64n - 1n, logId: 2n ** 62n + 7n, service: -5, method: 1, headers: [{ key: 'k', value: '值' }], payload: utf8.encode('{}'), logIdNew: 'x' };
		expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
		expect(() => decodeFrame(Uint8Array.from([0x08, 0x00, 0x10, 0x00, 0x18, 0x01]))).toThrow("missing required 'method'");
		expect(() => decodeFrame(Uint8Array.from([0x08, 0x80]))).toThrow('truncated');
	});
});

describe('endpoint', () => {
	test('answers a single-use URL and the ClientConfig in seconds; a wrong secret or unknown app is 514 (HTTP 200)', async () => {
		await start();
		const answer = await endpoint();
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			code: 0,
			msg: 'ok',
			data: { URL: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\?device_id=\d+&service_id=\d+&ticket=[0-9a-f]+$/), ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 } },
		});
		expect(await endpoint({ AppID: DEFAULT_APP.appId, AppSecret: 'wrong' })).toEqual({ status: 200, json: { code: 514, msg: 'auth failed' } });
		expect((await endpoint({ AppID: 'cli_unknown', AppSecret: DEFAULT_APP.appSecret })).json.code).toBe(514);
		expect(feishu.longConnection.endpointCalls).toBe(3);
	});

	test('refuseEndpoint answers each code with its message, for the given number of calls', async () => {
		await start({ pingIntervalS: 7, reconnectCount: 3, reconnectIntervalS: 9, reconnectNonceS: 2 });
		const messages = { 1: 'system busy', 403: 'forbidden', 514: 'auth failed', 1000040343: 'internal error', 1000040350: 'too many connections' } as const;
		for (const [code, msg] of Object.entries(messages)) {
			feishu.longConnection.refuseEndpoint(Number(code) as keyof typeof messages, 1);
			expect((await endpoint()).json).toEqual({ code: Number(code), msg });
		}
		feishu.longConnection.refuseEndpoint(1);
		expect((await endpoint()).json.code).toBe(1);
		expect((await endpoint()).json.code).toBe(1);
		feishu.longConnection.refuseEndpoint(1, 0);
		expect((await endpoint()).json.data.ClientConfig).toEqual({ PingInterval: 7, ReconnectCount: 3, ReconnectInterval: 9, ReconnectNonce: 2 });
	});
});

describe('handshake', () => {
	test('refuseHandshake answers the status and Handshake-* headers, no 101; then upgrades work again', async () => {
		await start();
		feishu.longConnection.refuseHandshake(514, 1000040350);
		const refusal = await refused(await freshUrl());
		expect(refusal.status).toBe(514);
		expect(refusal.headers).toMatchObject({ 'handshake-status': '514', 'handshake-autherrcode': '1000040350', 'handshake-msg': expect.any(String) });
		feishu.longConnection.refuseHandshake(403, undefined, 2);
		expect((await refused(await freshUrl())).headers['handshake-status']).toBe('403');
		expect((await refused(await freshUrl())).status).toBe(403);
		await connect();
		expect(feishu.longConnection.connections).toBe(1);
	});

	test('a URL connects once: reused, expired or altered it is refused 403', async () => {
		await start({ ticketLifetimeS: 0.3 });
		const url = await freshUrl();
		const first = await connect(url);
		first.socket.close();
		await first.closed;
		expect(await refused(url)).toMatchObject({ status: 403, headers: { 'handshake-status': '403', 'handshake-msg': 'ticket already used', 'handshake-autherrcode': '403' } });
		const altered = (await freshUrl()).replace(/service_id=\d+/, 'service_id=1');
		expect((await refused(altered)).status).toBe(403);
		const late = await freshUrl();
		await sleep(400);
		expect((await refused(late)).headers['handshake-msg']).toBe('ticket expired');
		expect(feishu.longConnection.connectionsOpened).toBe(1);
	});

	test('relaxing longConnectionTicket lets a URL be reused', async () => {
		await start({}, ['longConnectionTicket']);
		const url = await freshUrl();
		(await connect(url)).socket.close();
		await connect(url);
		expect(feishu.longConnection.connectionsOpened).toBe(2);
	});
});

describe('ping and pong', () => {
	test('a ping is answered with a pong: same IDs and service, payload the current ClientConfig; bad pings are not', async () => {
		await start({ pingIntervalS: 5 });
		const client = await connect();
		ping(client, 2n ** 63n + 9n, 2n ** 60n + 1n);
		const pong = await waitFor(() => client.frames[0], 'a pong');
		expect(pong).toMatchObject({ seqId: 2n ** 63n + 9n, logId: 2n ** 60n + 1n, service: client.serviceId, method: 0, headers: [{ key: 'type', value: 'pong' }] });
		expect(JSON.parse(Buffer.from(pong.payload!).toString())).toEqual({ PingInterval: 5, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 });
		feishu.longConnection.setClientConfig({ PingInterval: 9, ReconnectNonce: 1 });
		ping(client);
		const next = await waitFor(() => client.frames[1], 'a second pong');
		expect(JSON.parse(Buffer.from(next.payload!).toString())).toMatchObject({ PingInterval: 9, ReconnectNonce: 1 });
		expect((await endpoint()).json.data.ClientConfig).toMatchObject({ PingInterval: 9, ReconnectNonce: 1 });
		ping(client, 0n, 0n, client.serviceId + 1);
		client.socket.send('{"type":"ping"}');
		client.socket.send(Uint8Array.from([0x08]));
		await waitFor(() => feishu.longConnection.badFrames === 3, 'three bad frames');
		expect(client.frames).toHaveLength(2);
		expect(feishu.longConnection.pings).toBe(2);
	});

	test('a socket without a ping for 3 × PingInterval is closed; one that pings, or with the rule relaxed, stays', async () => {
		await start({ pingIntervalS: 1 });
		const relaxed = await new FeishuSimulator({ longConnection: { pingIntervalS: 1 }, relax: ['longConnectionPing'] }).start();
		try {
			const silent = await connect();
			const pinging = await connect();
			const pinger = setInterval(() => ping(pinging), 1000);
			ping(pinging);
			const relaxedUrl = (await (await fetch(`${relaxed.apiUrl}/callback/ws/endpoint`, { method: 'POST', body: JSON.stringify({ AppID: DEFAULT_APP.appId, AppSecret: DEFAULT_APP.appSecret }) })).json()) as { data: { URL: string } };
			const unwatched = await connect(relaxedUrl.data.URL);
			const started = Date.now();
			await silent.closed;
			expect(Date.now() - started).toBeGreaterThan(2700);
			await sleep(800);
			clearInterval(pinger);
			expect([pinging.socket.readyState, unwatched.socket.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
			expect(feishu.longConnection.connections).toBe(1);
		} finally {
			await relaxed.stop();
		}
	});
});

describe('events', () => {
	test('an event arrives as one data frame with Feishu headers and plain schema 2.0 JSON; the ack is recorded', async () => {
		await start();
		const client = await connect();
		const event = minuteEvent(minute(1), 'ev_1');
		const pushed = feishu.longConnection.push(event);
		const frame = await waitFor(() => events(client)[0], 'the event');
		expect(frame).toMatchObject({ service: client.serviceId, method: 1 });
		expect(frame.logId).toBeGreaterThan(2n ** 53n);
		expect(Object.fromEntries(frame.headers.map(({ key, value }) => [key, value]))).toEqual({
			type: 'event',
			message_id: expect.any(String),
			sum: '1',
			seq: '0',
			trace_id: expect.any(String),
			timestamp: expect.stringMatching(/^\d{13}$/),
		});
		const body = JSON.parse(Buffer.from(frame.payload!).toString()) as { header: Record<string, unknown> };
		expect(body).toEqual(event);
		expect(body.header).not.toHaveProperty('token');
		ack(client, frame);
		expect(await pushed).toEqual({ delivered: true, acked: true, ackCode: 200 });
		expect(feishu.longConnection.acks).toEqual([{ messageId: headerOf(frame, 'message_id'), code: 200, bizRt: '4' }]);
		expect(events(client)).toHaveLength(1);
	});

	test('a fragmented event: sum frames under one message_id, seq 0…n-1, bytes split mid-character; the last one is acked', async () => {
		await start();
		const client = await connect();
		const event = minuteEvent(minute(2));
		(event.event as Record<string, unknown>).title = '周会纪要 🎉 发布计划'.repeat(20);
		const pushed = feishu.longConnection.push(event, { fragments: 7, messageId: 'msg_fragmented' });
		const parts = await waitFor(() => events(client).length === 7 && events(client), 'seven fragments');
		expect(parts.map((part) => [headerOf(part, 'message_id'), headerOf(part, 'sum'), headerOf(part, 'seq')])).toEqual([0, 1, 2, 3, 4, 5, 6].map((seq) => ['msg_fragmented', '7', String(seq)]));
		expect(parts.some((part) => !validUtf8(part.payload!))).toBe(true);
		const joined = Buffer.concat(parts.map((part) => part.payload!));
		expect(JSON.parse(joined.toString('utf8'))).toEqual(event);
		ack(client, parts[1]);
		ack(client, parts[6], 500);
		expect(await pushed).toEqual({ delivered: true, acked: true, ackCode: 500 });
		expect(feishu.longConnection.badAcks).toBe(1);
	});

	test('bad acks (no biz_rt, another message_id, another SeqID, text payload) count as bad, and the event comes again', async () => {
		await start({ redeliverAfterMs: 400 });
		const client = await connect();
		const pushed = feishu.longConnection.push(minuteEvent(minute(3)));
		const frame = await waitFor(() => events(client)[0], 'the event');
		client.socket.send(encodeFrame({ ...frame, payload: utf8.encode('{"code":200}') }));
		const renamed = frame.headers.map((header) => (header.key === 'message_id' ? { ...header, value: 'other' } : header));
		ack(client, frame, 200, { headers: [...renamed, { key: 'biz_rt', value: '1' }] });
		ack(client, frame, 200, { seqId: frame.seqId + 100n });
		ack(client, frame, 200, { payload: utf8.encode('ok') });
		const copy = await waitFor(() => events(client)[1], 'the redelivery');
		expect(headerOf(copy, 'message_id')).toBe(headerOf(frame, 'message_id'));
		expect(copy.payload).toEqual(frame.payload);
		ack(client, copy);
		expect(await pushed).toEqual({ delivered: true, acked: true, ackCode: 200 });
		expect(feishu.longConnection.badAcks).toBe(4);
		ack(client, copy);
		await waitFor(() => feishu.longConnection.badAcks === 5, 'a second ack of one copy counted as bad');
	});

	test('no ack: pushed once more after redeliverAfterMs, then given up; a late ack of the first copy still counts', async () => {
		await start({ redeliverAfterMs: 300 });
		const client = await connect();
		expect(await feishu.longConnection.push(minuteEvent(minute(4)))).toEqual({ delivered: true, acked: false });
		await sleep(400);
		expect(events(client)).toHaveLength(2);
		const late = feishu.longConnection.push(minuteEvent(minute(5)), { messageId: 'late' });
		const copies = await waitFor(() => events(client).length === 4 && events(client).slice(2), 'a copy');
		ack(client, copies[0]);
		expect(await late).toEqual({ delivered: true, acked: true, ackCode: 200 });
		expect(feishu.longConnection.acks).toHaveLength(1);
	});

	test("'random' gives each event to exactly one of the app's clients, both get some; 'first' the oldest; none open: not delivered", async () => {
		await start();
		expect(await feishu.longConnection.push(minuteEvent(minute(6)))).toEqual({ delivered: false, acked: false });
		const clients = [await connect(), await connect()];
		clients.forEach(autoAck);
		for (let n = 0; n < 24; n++) expect((await feishu.longConnection.push(minuteEvent(minute(7)))).acked).toBe(true);
		const counts = clients.map((client) => events(client).length);
		expect(counts[0] + counts[1]).toBe(24);
		expect(Math.min(...counts)).toBeGreaterThan(0);
		await feishu.longConnection.push(minuteEvent(minute(8)), { to: 'first' });
		expect(events(clients[0])).toHaveLength(counts[0] + 1);
	});
});

describe('limits and drops', () => {
	test('beyond maxConnectionsPerApp the endpoint answers 1000040350 and a held URL is refused 514/1000040350', async () => {
		await start({ maxConnectionsPerApp: 2 });
		const held = await freshUrl();
		const [first] = [await connect(), await connect()];
		expect((await endpoint()).json).toEqual({ code: 1000040350, msg: 'too many connections' });
		expect(await refused(held)).toMatchObject({ status: 514, headers: { 'handshake-status': '514', 'handshake-autherrcode': '1000040350' } });
		first.socket.close();
		await first.closed;
		await waitFor(() => feishu.longConnection.connections === 1, 'the close seen by the server');
		await connect();
		await feishu.longConnection.waitForConnections(2, 1000);
		await expect(feishu.longConnection.waitForConnections(3, 100)).rejects.toThrow('2 of 3 connections');
	});

	test("drop('close') sends a close frame (1001), drop('terminate') cuts TCP (1006); pushRaw sends bytes as they are", async () => {
		await start();
		const client = await connect();
		expect(feishu.longConnection.pushRaw(Uint8Array.from([0x08, 0x01, 0x10, 0x02, 0x18, 0x03, 0x20, 0x00]))).toBe(1);
		await waitFor(() => client.frames[0], 'the raw frame');
		expect(client.frames[0]).toMatchObject({ seqId: 1n, logId: 2n, service: 3, method: 0, headers: [] });
		await feishu.longConnection.drop('close');
		expect(await client.closed).toBe(1001);
		const other = await connect();
		await feishu.longConnection.drop('terminate');
		expect(await other.closed).toBe(1006);
		expect(feishu.longConnection.connections).toBe(0);
	});

	test('stats() and the control routes: push, drop', async () => {
		await start();
		const client = await connect();
		autoAck(client);
		ping(client);
		const control = async (path: string, body: object) =>
			await (await fetch(`${feishu.apiUrl}/__simulator/long-connection/${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
		expect(await control('push', { minuteToken: minute(9), fragments: 2 })).toEqual({ delivered: true, acked: true, ackCode: 200 });
		expect(events(client)).toHaveLength(2);
		expect(await control('drop', { kind: 'terminate' })).toEqual({ ok: true });
		const stats = (await (await fetch(`${feishu.apiUrl}/__simulator/stats`)).json()) as { longConnection: unknown };
		expect(stats.longConnection).toEqual({ connections: 0, connectionsOpened: 1, endpointCalls: 1, pings: 1, acks: 1, badAcks: 0 });
		expect(feishu.stats().longConnection).toEqual(stats.longConnection);
	});
});
