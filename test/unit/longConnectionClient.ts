/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** A bare long-connection client for the simulator, as Feishu's SDKs behave (the `ws` package + the frame codec, no n8n). */
import { WebSocket } from 'ws';

import { DEFAULT_APP } from '../simulator/FeishuSimulator';
import { type Frame, decodeFrame, encodeFrame, headerOf } from '../simulator/pbbp2';

const utf8 = new TextEncoder();
export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** What the helpers need of a simulator. */
interface Api {
	apiUrl: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Feishu's JSON, compared whole
export async function endpoint(feishu: Api, body: unknown = { AppID: DEFAULT_APP.appId, AppSecret: DEFAULT_APP.appSecret }): Promise<{ status: number; json: any }> {
	const response = await fetch(`${feishu.apiUrl}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json', locale: 'zh' }, body: JSON.stringify(body) });
	return { status: response.status, json: await response.json() };
}

export const freshUrl = async (feishu: Api): Promise<string> => (await endpoint(feishu)).json.data.URL as string;

export interface Client {
	socket: WebSocket;
	serviceId: number;
	frames: Frame[];
	closed: Promise<number>;
}

/** Opens a socket on `url` (default: a fresh endpoint URL) and records every frame it receives. */
export async function connect(feishu: Api, url?: string): Promise<Client> {
	const target = url ?? (await freshUrl(feishu));
	const socket = new WebSocket(target);
	const frames: Frame[] = [];
	socket.on('message', (data) => frames.push(decodeFrame(data as Buffer)));
	const closed = new Promise<number>((resolve) => socket.on('close', resolve));
	await new Promise((resolve, reject) => {
		socket.once('open', resolve);
		socket.once('error', reject);
	});
	return { socket, serviceId: Number(new URL(target).searchParams.get('service_id')), frames, closed };
}

/** A handshake that must be refused: its status and headers. */
export async function refused(url: string): Promise<{ status?: number; headers: Record<string, unknown> }> {
	const socket = new WebSocket(url);
	socket.on('error', () => undefined);
	return await new Promise((resolve, reject) => {
		socket.once('open', () => reject(new Error('the handshake was accepted')));
		socket.once('unexpected-response', (_req, res) => {
			resolve({ status: res.statusCode, headers: res.headers });
			res.resume();
		});
	});
}

export async function waitFor<T>(read: () => T | false | undefined, what: string, timeoutMs = 3000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = read();
		if (value !== undefined && value !== false) return value as T;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(10);
	}
}

export const events = (client: Client) => client.frames.filter((frame) => frame.method === 1);
export const ping = (client: Client, seqId = 0n, logId = 0n, service = client.serviceId) =>
	client.socket.send(encodeFrame({ seqId, logId, service, method: 0, headers: [{ key: 'type', value: 'ping' }] }));
/** The frame echoed as the SDKs ack it: every field kept, biz_rt added, payload {"code":…}. */
export const ack = (client: Client, frame: Frame, code = 200, change: Partial<Frame> = {}) =>
	client.socket.send(encodeFrame({ ...frame, headers: [...frame.headers, { key: 'biz_rt', value: '4' }], payload: utf8.encode(JSON.stringify({ code })), ...change }));

export function validUtf8(bytes: Uint8Array): boolean {
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** Acks every completed event (its last fragment), as an SDK does. */
export function autoAck(client: Client): void {
	client.socket.on('message', (data) => {
		const frame = decodeFrame(data as Buffer);
		if (frame.method === 1 && Number(headerOf(frame, 'seq')) === Number(headerOf(frame, 'sum')) - 1) ack(client, frame);
	});
}
