/**
 * A minimal MCP client over Streamable HTTP (fetch only), as an MCP host such as Claude Desktop or Cursor talks
 * to n8n's MCP Server Trigger: `initialize` (the server hands out a session in `mcp-session-id`),
 * `notifications/initialized`, then `tools/list` and `tools/call` in that session. Answers come as JSON or as
 * SSE `message` events.
 */

/** The MCP revision that introduced Streamable HTTP; both n8n versions' SDKs speak it. */
const PROTOCOL_VERSION = '2025-03-26';

/** A JSON-RPC error answer, or an HTTP failure, with what the server said. */
export class McpError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: string,
	) {
		super(message);
	}
}

export interface McpTool {
	name: string;
	description?: string;
	inputSchema: { type: 'object'; properties?: Record<string, { type?: string; description?: string; default?: unknown }>; required?: string[] };
}

export interface McpToolResult {
	content: Array<{ type: string; text?: string }>;
	isError?: boolean;
}

export class McpClient {
	sessionId?: string;

	/** What the server said it is in `initialize`. */
	serverInfo?: { name: string; version: string };

	private nextId = 1;

	constructor(readonly url: string) {}

	async initialize(): Promise<void> {
		const result = (await this.request('initialize', {
			protocolVersion: PROTOCOL_VERSION,
			capabilities: {},
			clientInfo: { name: 'feishu-minutes-e2e', version: '1.0.0' },
		})) as { serverInfo: { name: string; version: string } };
		this.serverInfo = result.serverInfo;
		await this.notify('notifications/initialized');
	}

	async listTools(): Promise<McpTool[]> {
		return ((await this.request('tools/list', {})) as { tools: McpTool[] }).tools;
	}

	async callTool(name: string, args: Record<string, unknown>): Promise<McpToolResult> {
		return (await this.request('tools/call', { name, arguments: args })) as McpToolResult;
	}

	/** Ends the session (DELETE), as a host does when it disconnects. */
	async close(): Promise<void> {
		if (!this.sessionId) return;
		await fetch(this.url, { method: 'DELETE', headers: this.headers() }).catch(() => undefined);
		this.sessionId = undefined;
	}

	async request(method: string, params: unknown): Promise<unknown> {
		const id = this.nextId++;
		const response = await this.post({ jsonrpc: '2.0', id, method, params });
		const text = await response.text();
		if (!response.ok) throw new McpError(`${method}: HTTP ${response.status}`, response.status, text);
		const session = response.headers.get('mcp-session-id');
		if (session) this.sessionId = session;
		const messages = (response.headers.get('content-type') ?? '').includes('text/event-stream') ? sseData(text) : [text];
		for (const data of messages) {
			const message = JSON.parse(data) as { id?: number; result?: unknown; error?: { code: number; message: string } };
			if (message.id !== id) continue;
			if (message.error) throw new McpError(`${method}: ${message.error.message} (${message.error.code})`, response.status, text);
			return message.result;
		}
		throw new McpError(`${method}: no answer to request ${id}`, response.status, text);
	}

	async notify(method: string, params?: unknown): Promise<void> {
		const response = await this.post({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
		const text = await response.text();
		if (!response.ok) throw new McpError(`${method}: HTTP ${response.status}`, response.status, text);
	}

	private async post(message: unknown): Promise<Response> {
		return await fetch(this.url, {
			method: 'POST',
			headers: { ...this.headers(), 'content-type': 'application/json' },
			body: JSON.stringify(message),
		});
	}

	private headers(): Record<string, string> {
		return {
			accept: 'application/json, text/event-stream',
			...(this.sessionId ? { 'mcp-session-id': this.sessionId, 'mcp-protocol-version': PROTOCOL_VERSION } : {}),
		};
	}
}

/** The `data:` payloads of an SSE body, one per event. */
function sseData(body: string): string[] {
	return body
		.split(/\r?\n\r?\n/)
		.map((event) =>
			event
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).trimStart())
				.join('\n'),
		)
		.filter((data) => data.length > 0);
}
