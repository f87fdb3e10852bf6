/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Where the soak's workflows report each minute they handled: an HTTP server on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One item a workflow finished: which minute, in which execution, and each step's outcome ('ok' or the error). */
export interface SinkRecord {
	workflow: 'pushed' | 'polled' | 'batch';
	minute: string | null;
	execution: string;
	media?: string;
	transcript?: string;
	notes?: string;
	at: number;
}

export class Sink {
	readonly records: SinkRecord[] = [];

	url = '';

	private server?: Server;

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				try {
					this.records.push({ ...(JSON.parse(body) as Omit<SinkRecord, 'at'>), at: Date.now() });
					res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
				} catch {
					res.writeHead(400).end();
				}
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sink`;
		return this;
	}

	async stop(): Promise<void> {
		await new Promise((resolve) => this.server?.close(resolve));
	}

	/** Each step that failed, with its message. */
	static failures(record: SinkRecord): string[] {
		return [record.media, record.transcript, record.notes].filter((step): step is string => step !== undefined && step !== 'ok');
	}
}
