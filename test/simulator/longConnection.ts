/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Feishu's long connection (../notes/ws-facts.md): `POST /callback/ws/endpoint` hands out a single-use WebSocket URL
 * and the ClientConfig; the socket (own 127.0.0.1 port) speaks pbbp2 frames in binary messages: pings answered with
 * pongs carrying the config, events pushed as data frames (longConnectionPush.ts), refusals as Feishu sends them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type RawData, WebSocketServer, type WebSocket } from 'ws';

import type { SimulatedApp } from './accounts';
import { LONG_CONNECTION_ERRORS, type LongConnectionCode, type Rule } from './contract';
import { close, listen, sendJson } from './http';
import { Deliveries, type LiveConnection, type LongConnectionAck, type LongConnectionPushOptions, type LongConnectionPushResult } from './longConnectionPush';
import { METHOD_CONTROL, METHOD_DATA, decodeFrame, encodeFrame, headerOf } from './pbbp2';
import type { LongConnectionOptions } from './types';

export { feishuEvent, minuteEvent, type LongConnectionAck, type LongConnectionPushOptions, type LongConnectionPushResult } from './longConnectionPush';

/** What the endpoint and every pong carry (seconds). */
export interface ClientConfig {
	PingInterval: number;
	ReconnectCount: number;
	ReconnectInterval: number;
	ReconnectNonce: number;
}

interface Ticket {
	appId: string;
	deviceId: string;
	serviceId: number;
	expiresAt: number;
	used: boolean;
}

const utf8 = new TextEncoder();

export class LongConnectionServer {
	/** ws://127.0.0.1:<port> once started. */
	url = '';

	endpointCalls = 0;

	connectionsOpened = 0;

	/** Valid pings received (each answered with a pong). */
	pings = 0;

	/** Client messages that are neither a valid ping nor a data frame: text, undecodable, wrong service, other types. */
	badFrames = 0;

	private config: ClientConfig;

	private readonly live = new Set<LiveConnection>();

	private readonly tickets = new Map<string, Ticket>();

	private endpointRefusal = { code: 0 as LongConnectionCode | 0, times: 0 };

	private handshakeRefusal = { status: 0, autherrcode: 0, times: 0 };

	private readonly wss = new WebSocketServer({ noServer: true });

	private readonly deliveries: Deliveries;

	private server?: Server;

	constructor(
		private readonly options: LongConnectionOptions,
		private readonly apps: ReadonlyMap<string, SimulatedApp>,
		private readonly enforces: (rule: Rule) => boolean,
	) {
		this.config = {
			PingInterval: options.pingIntervalS ?? 120,
			ReconnectCount: options.reconnectCount ?? -1,
			ReconnectInterval: options.reconnectIntervalS ?? 120,
			ReconnectNonce: options.reconnectNonceS ?? 30,
		};
		this.deliveries = new Deliveries((appId) => this.openFor(appId), options.redeliverAfterMs ?? 3000);
	}

	/** Sockets open now. */
	get connections(): number {
		return this.live.size;
	}

	get acks(): readonly LongConnectionAck[] {
		return this.deliveries.acks;
	}

	get badAcks(): number {
		return this.deliveries.badAcks;
	}

	get clientConfig(): ClientConfig {
		return { ...this.config };
	}

	/** For the simulator's stats(), read by tests in another process. */
	stats() {
		return { connections: this.connections, connectionsOpened: this.connectionsOpened, endpointCalls: this.endpointCalls, pings: this.pings, acks: this.acks.length, badAcks: this.badAcks };
	}

	async start(): Promise<void> {
		this.server = await listen((_req, res) => sendJson(res, 426, { msg: 'WebSocket upgrade required' }));
		this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
		this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.deliveries.stop();
		for (const connection of this.live) {
			clearTimeout(connection.idle);
			connection.socket.terminate();
		}
		this.live.clear();
		this.wss.close();
		await close(this.server);
		this.server = undefined;
	}

	/** `POST /callback/ws/endpoint` with `{"AppID","AppSecret"}`: the URL and ClientConfig, or a refusal (HTTP 200 either way). */
	endpoint(body: string): Record<string, unknown> {
		this.endpointCalls++;
		if (this.endpointRefusal.times > 0 && this.endpointRefusal.code) {
			this.endpointRefusal.times--;
			return refusal(this.endpointRefusal.code);
		}
		let credentials: { AppID?: unknown; AppSecret?: unknown } = {};
		try {
			credentials = (JSON.parse(body) as typeof credentials) ?? {};
		} catch {
			// an unreadable body names no app: auth failed
		}
		const appId = typeof credentials.AppID === 'string' ? credentials.AppID : '';
		const app = this.apps.get(appId);
		if (!app || typeof credentials.AppSecret !== 'string' || credentials.AppSecret !== app.secret) return refusal(514);
		if (app.state !== 'active') return refusal(403);
		if (this.overLimit(appId)) return refusal(1000040350);
		const ticket = randomBytes(16).toString('hex');
		const issued: Ticket = { appId, deviceId: String(7_000_000 + this.tickets.size), serviceId: randomInt(1, 2 ** 31 - 1), expiresAt: Date.now() + (this.options.ticketLifetimeS ?? 60) * 1000, used: false };
		this.tickets.set(ticket, issued);
		const url = `${this.url}/ws?device_id=${issued.deviceId}&service_id=${issued.serviceId}&ticket=${ticket}`;
		return { code: 0, msg: 'ok', data: { URL: url, ClientConfig: this.clientConfig } };
	}

	/** The next `times` endpoint calls answer this code (times 0 ends it). */
	refuseEndpoint(code: LongConnectionCode, times = Infinity): void {
		this.endpointRefusal = { code, times };
	}

	/** The next `times` upgrades are refused with this HTTP status and the Handshake-* headers (no 101). */
	refuseHandshake(status: 403 | 514, autherrcode?: number, times = 1): void {
		this.handshakeRefusal = { status, autherrcode: autherrcode ?? status, times };
	}

	/** Changes what later pongs and endpoint answers carry; idle limits follow the new PingInterval. */
	setClientConfig(partial: Partial<ClientConfig>): void {
		this.config = { ...this.config, ...partial };
		for (const connection of this.live) this.armIdle(connection);
	}

	async waitForConnections(n: number, timeoutMs = 10_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (this.connections < n) {
			if (Date.now() > deadline) throw new Error(`long connection: ${this.connections} of ${n} connections after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	async push(event: object, options?: LongConnectionPushOptions): Promise<LongConnectionPushResult> {
		return await this.deliveries.push(event, options);
	}

	/** Sends these bytes as one binary message to every open socket; returns how many got them. */
	pushRaw(bytes: Uint8Array): number {
		const open = [...this.live].filter((connection) => connection.socket.readyState === connection.socket.OPEN);
		for (const connection of open) connection.socket.send(bytes);
		return open.length;
	}

	/** Every socket ends: a close frame (1001, going away) or a destroyed TCP connection. Resolves once all are gone. */
	async drop(kind: 'close' | 'terminate'): Promise<void> {
		const sockets = [...this.live].map((connection) => connection.socket);
		const closed = sockets.map(async (socket) => await new Promise((resolve) => (socket.readyState === socket.CLOSED ? resolve(undefined) : socket.once('close', resolve))));
		for (const socket of sockets) {
			if (kind === 'close') socket.close(1001, 'server going away');
			else socket.terminate();
		}
		const late = setTimeout(() => sockets.forEach((socket) => socket.terminate()), 2000);
		await Promise.all(closed);
		clearTimeout(late);
	}

	private openFor(appId: string): LiveConnection[] {
		return [...this.live].filter((connection) => connection.appId === appId && connection.socket.readyState === connection.socket.OPEN);
	}

	private overLimit(appId: string): boolean {
		return this.enforces('longConnectionLimit') && this.openFor(appId).length >= (this.options.maxConnectionsPerApp ?? 50);
	}

	private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
		socket.on('error', () => undefined);
		const url = new URL(req.url ?? '/', 'ws://127.0.0.1');
		if (this.handshakeRefusal.times > 0) {
			this.handshakeRefusal.times--;
			const { status, autherrcode } = this.handshakeRefusal;
			return refuseUpgrade(socket, status, status === 514 ? 'auth failed' : 'forbidden', autherrcode);
		}
		const ticket = url.pathname === '/ws' ? this.tickets.get(url.searchParams.get('ticket') ?? '') : undefined;
		if (!ticket || url.searchParams.get('device_id') !== ticket.deviceId || url.searchParams.get('service_id') !== String(ticket.serviceId)) {
			return refuseUpgrade(socket, 403, 'invalid ticket', 403);
		}
		if (this.enforces('longConnectionTicket') && (ticket.used || Date.now() > ticket.expiresAt)) {
			return refuseUpgrade(socket, 403, ticket.used ? 'ticket already used' : 'ticket expired', 403);
		}
		if (this.overLimit(ticket.appId)) return refuseUpgrade(socket, 514, LONG_CONNECTION_ERRORS[1000040350], 1000040350);
		ticket.used = true;
		this.wss.handleUpgrade(req, socket, head, (ws) => this.opened(ws, ticket));
	}

	private opened(socket: WebSocket, ticket: Ticket): void {
		const connection: LiveConnection = { socket, appId: ticket.appId, deviceId: ticket.deviceId, serviceId: ticket.serviceId, lastPingAt: Date.now() };
		this.live.add(connection);
		this.connectionsOpened++;
		this.armIdle(connection);
		socket.on('message', (data, isBinary) => this.received(connection, data, isBinary));
		socket.on('error', () => undefined);
		socket.on('close', () => {
			clearTimeout(connection.idle);
			this.live.delete(connection);
		});
	}

	private received(connection: LiveConnection, data: RawData, isBinary: boolean): void {
		if (!isBinary) return void this.badFrames++;
		const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
		let frame;
		try {
			frame = decodeFrame(bytes);
		} catch {
			return void this.badFrames++;
		}
		if (frame.method === METHOD_DATA) return this.deliveries.received(connection, frame);
		if (frame.method !== METHOD_CONTROL || headerOf(frame, 'type') !== 'ping' || frame.service !== connection.serviceId) return void this.badFrames++;
		this.pings++;
		connection.lastPingAt = Date.now();
		this.armIdle(connection);
		const pong = { seqId: frame.seqId, logId: frame.logId, service: frame.service, method: METHOD_CONTROL, headers: [{ key: 'type', value: 'pong' }] };
		connection.socket.send(encodeFrame({ ...pong, payload: utf8.encode(JSON.stringify(this.config)) }));
	}

	/** Closes the socket 3 × PingInterval after its last ping (rule `longConnectionPing`). */
	private armIdle(connection: LiveConnection): void {
		clearTimeout(connection.idle);
		if (!this.enforces('longConnectionPing')) return;
		const left = connection.lastPingAt + 3 * this.config.PingInterval * 1000 - Date.now();
		connection.idle = setTimeout(() => connection.socket.close(1000, 'no ping'), Math.max(0, left));
	}
}

function refusal(code: LongConnectionCode): Record<string, unknown> {
	return { code, msg: LONG_CONNECTION_ERRORS[code] };
}

/** A refused upgrade: the HTTP status and Feishu's Handshake-* headers, no body, no 101. */
function refuseUpgrade(socket: Socket, status: number, msg: string, autherrcode: number): void {
	const reason = STATUS_CODES[status] ?? 'Auth Failed';
	const headers = [`Handshake-Status: ${status}`, `Handshake-Msg: ${msg}`, `Handshake-Autherrcode: ${autherrcode}`, 'Content-Length: 0', 'Connection: close'];
	socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.join('\r\n')}\r\n\r\n`);
}
