/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The Feishu Minutes Tool behind n8n's MCP Server Trigger, in a real `n8n start`: the example's "Search minutes"
 * node (here with the app credential) wired to the trigger, the workflow published, and an MCP client (Streamable
 * HTTP) that lists the tool and calls it, as Claude Desktop or Cursor would. No special code in the node.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { DEFAULT_APP, FeishuSimulator } from '../simulator/FeishuSimulator';
import { McpClient } from './mcpClient';
import { e2eVersion, installN8n, installPackedPackage, N8n, ROOT } from './n8n';

const DAY = 86_400_000;
const LAUNCH = 'obcnlaunchreview00000001';
const WORKFLOW_ID = 'e2eMcpMinutes001';
const MCP_PATH = 'feishu-minutes';
const APP_CREDENTIAL = { id: 'feishuSimulator01', name: 'Feishu account' };

let n8n: N8n;
let feishu: FeishuSimulator;
let server: { process: ChildProcess; log: () => string } | undefined;
let client: McpClient;

/** MCP Server Trigger ← the example's "Search minutes" tool node, on the app credential. */
function mcpServer(): IWorkflowBase {
	const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'ask-your-meetings.workflow.json'), 'utf8')) as IWorkflowBase;
	const search = example.nodes.find((node) => node.name === 'Search minutes')!;
	search.parameters = { ...search.parameters, authentication: 'tenantToken' };
	search.credentials = { feishuApi: APP_CREDENTIAL };
	// as an MCP server is usually built: without the example's "On Error: Continue"
	delete search.onError;
	return {
		id: WORKFLOW_ID,
		name: 'e2e MCP server: Feishu Minutes',
		active: false,
		nodes: [
			{
				id: 'mcp-trigger',
				name: 'MCP Server Trigger',
				type: '@n8n/n8n-nodes-langchain.mcpTrigger',
				typeVersion: 2,
				position: [0, 0],
				// pinned, so the URL is /mcp/<path>
				webhookId: '3d1e5c7a-9b2f-4e6d-8c0a-1f2e3d4c5b6a',
				parameters: { authentication: 'none', path: MCP_PATH },
			},
			{ ...search, position: [0, 260] },
		],
		connections: { 'Search minutes': { ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);
	feishu = await new FeishuSimulator().start();
	feishu.addMinute({ token: LAUNCH, title: 'Product launch review', createTime: Date.now() - 2 * DAY });
	feishu.addMinute({ token: 'obcnweeklysync0000000003', title: 'Weekly sync', createTime: Date.now() - DAY });

	await n8n.importJson('credentials', [{ ...APP_CREDENTIAL, type: 'feishuApi', data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP } }]);
	await n8n.importJson('workflow', [mcpServer()]);
	await n8n.publish(WORKFLOW_ID);
	const port = 17678 + Math.floor(Math.random() * 1000);
	server = await n8n.start(port);
	client = new McpClient(`http://127.0.0.1:${port}/mcp/${MCP_PATH}`);
	// the trigger's webhook is registered a moment after the editor is up
	const deadline = Date.now() + 60_000;
	for (;;) {
		try {
			await client.initialize();
			return;
		} catch (error) {
			if (Date.now() > deadline) throw new Error(`${(error as Error).message}\n${server.log().slice(-3000)}`);
			await new Promise((done) => setTimeout(done, 500));
		}
	}
}, 1_200_000);

afterAll(async () => {
	await client?.close();
	if (server && server.process.exitCode === null) {
		const stopping = server.process;
		stopping.kill('SIGTERM');
		await new Promise((done) => stopping.once('exit', done));
	}
	await feishu?.stop();
	n8n?.cleanUp();
});

test('an MCP client opens a session with the published MCP Server Trigger', () => {
	expect(client.sessionId).toEqual(expect.any(String));
	expect(client.serverInfo).toEqual(expect.objectContaining({ name: expect.any(String) }));
});

test('tools/list: the Feishu Minutes Tool node, its input schema from $fromAI', async () => {
	const tools = await client.listTools();
	expect(tools.map((tool) => tool.name)).toEqual(['Search_minutes']);
	expect(tools[0].description).toEqual(expect.any(String));
	expect(tools[0].inputSchema).toMatchObject({
		type: 'object',
		properties: {
			keyword: { type: 'string', description: expect.stringContaining('at most 50 characters') },
			createdAfter: { type: 'string', description: expect.stringContaining('ISO 8601') },
			limit: { type: 'number' },
		},
		required: ['keyword'],
	});
});

test('tools/call Search minutes: the compact items, as text; it costs a tenant token, the search and one metadata request per minute found', async () => {
	const before = feishu.requests.length;
	const result = await client.callTool('Search_minutes', { keyword: 'launch' });
	const made = feishu.requests.slice(before).map((request) => `${request.method} ${request.path.split('?')[0]}`);
	console.log(`n8n ${n8n.install.version}: one MCP tools/call made ${made.length} Feishu requests:\n  ${made.join('\n  ')}`);

	expect(result.isError ?? false).toBe(false);
	expect(result.content).toHaveLength(1);
	expect(JSON.parse(result.content[0].text!)).toEqual([
		{ minuteToken: LAUNCH, title: 'Product launch review', link: expect.stringContaining(LAUNCH), createdTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
	]);
	// no Created After: the default 30-day window, searched in slices of at most 28 days (Feishu's limit is a month)
	const searches = made.filter((request) => request === 'POST /open-apis/minutes/v1/minutes/search').length;
	expect(searches).toBeGreaterThanOrEqual(1);
	expect(searches).toBeLessThanOrEqual(2);
	expect(made.filter((request) => request.startsWith('GET '))).toEqual([`GET /open-apis/minutes/v1/minutes/${LAUNCH}`]);
	expect(made.length - searches - 1).toBeLessThanOrEqual(1); // the app's tenant token, once
});

test('tools/call with a value the node refuses: the error comes back as the tool\'s text, not as a failed call', async () => {
	const result = await client.callTool('Search_minutes', { keyword: 'launch review and everything we decided about the product launch' });

	expect(result.isError ?? false).toBe(false);
	expect(JSON.parse(result.content[0].text!)).toEqual([
		expect.objectContaining({ error: expect.stringContaining('longer than 50 characters'), description: expect.stringContaining('Shorten') }),
	]);
});
