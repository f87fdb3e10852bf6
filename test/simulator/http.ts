/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Small HTTP helpers for the simulator's servers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

export function asciiFallback(text: string): string {
	return text.replace(/[^\x20-\x7e]|"/g, '_');
}

export async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => unknown, port = 0): Promise<Server> {
	const server = createServer((req, res) => void handler(req, res));
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return server;
}

export async function close(server: Server | undefined): Promise<void> {
	if (!server) return;
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function delay(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A delay: fixed, drawn evenly from [min, max], or given by a test's own function (for a set order). */
export type DelayMs = number | [number, number] | (() => number);

export function drawMs(range: DelayMs): number {
	if (typeof range === 'function') return range();
	return typeof range === 'number' ? range : range[0] + Math.random() * (range[1] - range[0]);
}
