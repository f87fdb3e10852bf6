/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * An OpenAI-compatible model server with no model inside: `POST /v1/chat/completions` answers what a script
 * decides from the conversation so far (a tool call or a final text), and every request is recorded, so tests can
 * assert what n8n's OpenAI Chat Model sent: the tool schemas, the tool results. Non-streaming, and SSE when asked
 * (`stream: true`). `GET /v1/models` lists the one model.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tool call as the model made it; `arguments` parsed (n8n adds an `id` key to what the model sent). */
export interface ToolCall {
	id: string;
	name: string;
	arguments: Record<string, unknown>;
}

/** One message of the conversation, its content flattened to text (n8n sends `[]`, `""` or text parts). */
export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool' | string;
	content: string;
	toolCalls?: ToolCall[];
	/** On a tool message: the call it answers. */
	toolCallId?: string;
}

/** A tool as offered to the model: `{type:'function', function:{name, description, parameters}}`, unwrapped. */
export interface ChatTool {
	name: string;
	description: string;
	parameters: { type: 'object'; properties: Record<string, { type?: string; description?: string; default?: unknown }>; required?: string[] };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools: ChatTool[];
	stream: boolean;
	/** The request body as sent. */
	body: Record<string, unknown>;
}

/** What the model does next: call one tool, or answer. */
export type ScriptStep = { toolCall: { name: string; arguments: Record<string, unknown> } } | { content: string };

export type Script = (request: ChatRequest) => ScriptStep;

interface RawMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export class ScriptedModel {
	readonly requests: ChatRequest[] = [];

	/** Requests the script could not answer (it threw), with why; each was answered HTTP 400. */
	readonly failures: string[] = [];

	url = '';

	private server?: Server;

	private calls = 0;

	constructor(
		private readonly script: Script,
		readonly modelId = 'scripted-model',
	) {}

	async start(): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
		return this;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((done) => server.close(() => done()));
	}

	/** The tool results the model was sent so far in `request` (default: the last request), content parsed as JSON. */
	toolResults(request = this.requests[this.requests.length - 1]): Array<{ toolCallId?: string; name?: string; content: unknown }> {
		const names = new Map(request.messages.flatMap((message) => message.toolCalls ?? []).map((call) => [call.id, call.name]));
		return request.messages
			.filter((message) => message.role === 'tool')
			.map((message) => ({ toolCallId: message.toolCallId, name: names.get(message.toolCallId ?? ''), content: parseJson(message.content) }));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method === 'GET' && path === '/v1/models') {
			return send(res, 200, { object: 'list', data: [{ id: this.modelId, object: 'model', created: 1, owned_by: 'scripted' }] });
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			return send(res, 404, { error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error' } });
		}
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(await readBody(req)) as Record<string, unknown>;
		} catch {
			return send(res, 400, { error: { message: 'The body is not JSON', type: 'invalid_request_error' } });
		}
		const request = toRequest(body);
		this.requests.push(request);
		let step: ScriptStep;
		try {
			step = this.script(request);
		} catch (error) {
			this.failures.push((error as Error).message);
			return send(res, 400, { error: { message: `Script: ${(error as Error).message}`, type: 'invalid_request_error' } });
		}
		const id = `chatcmpl-${++this.calls}`;
		const toolCall = 'toolCall' in step ? { id: `call_${this.calls}`, type: 'function', function: { name: step.toolCall.name, arguments: JSON.stringify(step.toolCall.arguments) } } : undefined;
		const finishReason = toolCall ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
		if (!request.stream) {
			const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: (step as { content: string }).content };
			return send(res, 200, { id, object: 'chat.completion', created: 1, model: this.modelId, choices: [{ index: 0, message, finish_reason: finishReason }], usage });
		}
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const chunk = (delta: unknown, finish: string | null, extra = {}) =>
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: this.modelId, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
		if (toolCall) {
			chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall, function: { name: toolCall.function.name, arguments: '' } }] }, null);
			chunk({ tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }, null);
		} else {
			chunk({ role: 'assistant', content: (step as { content: string }).content }, null);
		}
		chunk({}, finishReason);
		res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: this.modelId, choices: [], usage })}\n\n`);
		res.end('data: [DONE]\n\n');
	}
}

function toRequest(body: Record<string, unknown>): ChatRequest {
	const messages = ((body.messages ?? []) as RawMessage[]).map((message): ChatMessage => ({
		role: message.role,
		content: textOf(message.content),
		...(message.tool_calls?.length
			? {
					toolCalls: message.tool_calls.map((call) => ({
						id: call.id,
						name: call.function.name,
						arguments: (parseJson(call.function.arguments) ?? {}) as Record<string, unknown>,
					})),
				}
			: {}),
		...(message.tool_call_id ? { toolCallId: message.tool_call_id } : {}),
	}));
	const tools = ((body.tools ?? []) as Array<{ function: ChatTool }>).map(({ function: tool }) => tool);
	return { model: String(body.model), messages, tools, stream: body.stream === true, body };
}

/** Text of a message's content: a string, null, or an array of parts (`{type:'text', text}`). */
function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part: { text?: string }) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('');
	return '';
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}
