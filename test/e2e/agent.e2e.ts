/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The example "Ask your meetings" in a real n8n (`n8n execute`): n8n's AI Agent, its OpenAI Chat Model pointed at
 * a scripted model server (scriptedModel.ts), and the Feishu Minutes Tool nodes of the example. The script plays
 * a model that searches, reads the AI notes of what it found, tries a minute the user may not read, and answers.
 * The example's Chat Trigger becomes a Manual Trigger and the agent's prompt a fixed question; all else is as shipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../harness/fixtures';
import { FeishuSimulator } from '../simulator/FeishuSimulator';
import { e2eVersion, installN8n, installPackedPackage, N8n, ROOT } from './n8n';
import { type Script, ScriptedModel } from './scriptedModel';

const DAY = 86_400_000;
const LAUNCH = 'obcnlaunchreview00000001';
const OLD_LAUNCH = 'obcnlaunchretro000000002';
const OTHER = 'obcnweeklysync0000000003';
const FORBIDDEN = 'obcnforbiddenminute00001';
const QUESTION = 'What did we decide about the launch last week?';
/** The simulator's AI notes summary: "<title>: the team reviewed the release plan." */
const SUMMARY = 'Product launch review: the team reviewed the release plan.';
const WORKFLOW_ID = 'e2eAskMeetings01';

let n8n: N8n;
let feishu: FeishuSimulator;
let model: ScriptedModel;

/** Which tool results the model has been sent so far, by tool name, contents parsed. */
type Results = Array<{ name?: string; content: unknown }>;

/**
 * The model: Search (keyword from the question, the last 7 days) → AI notes of the first result → the first part of
 * its transcript → AI notes of FORBIDDEN → an answer quoting the notes and the error.
 */
const script: Script = (request) => {
	const results: Results = model.toolResults(request);
	const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, arguments: args } });
	if (results.length === 0) {
		const question = request.messages.find((message) => message.role === 'user')?.content ?? '';
		const keyword = /\b(launch)\b/i.exec(question)?.[1];
		if (!keyword) throw new Error(`no keyword in the question: ${question}`);
		return call('Search_minutes', { keyword, createdAfter: new Date(Date.now() - 7 * DAY).toISOString() });
	}
	const found = results[0].content as Array<{ minuteToken?: string }>;
	if (!Array.isArray(found) || !found[0]?.minuteToken) throw new Error(`Search gave no minute: ${JSON.stringify(found)}`);
	if (results.length === 1) return call('Get_AI_notes', { minuteToken: found[0].minuteToken });
	if (results.length === 2) return call('Get_transcript', { minuteToken: found[0].minuteToken, maxCharacters: 1000 });
	if (results.length === 3) return call('Get_AI_notes', { minuteToken: FORBIDDEN });
	const [notes] = results[1].content as Array<{ summary?: string }>;
	const [denied] = results[3].content as Array<{ error?: string }>;
	return { content: `Last week's launch review: ${notes?.summary} One more minute I could not read: ${denied?.error}` };
};

/** The example as shipped, started by hand with a fixed question. */
function askYourMeetings(): IWorkflowBase {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', 'ask-your-meetings.workflow.json'), 'utf8')) as IWorkflowBase;
	const trigger = workflow.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger')!;
	Object.assign(trigger, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {}, webhookId: undefined });
	const agent = workflow.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.agent')!;
	agent.parameters = { ...agent.parameters, promptType: 'define', text: QUESTION };
	workflow.id = WORKFLOW_ID;
	return workflow;
}

/** One node's runs in the run data: `main` for the agent, `ai_tool` for the tool nodes the agent ran. */
type NodeRuns = Array<{ data?: Record<string, Array<Array<{ json: Record<string, unknown> }>>>; error?: { message: string } }>;

beforeAll(async () => {
	n8n = new N8n(installN8n(e2eVersion()));
	installPackedPackage(n8n.userFolder);
	feishu = await new FeishuSimulator().start();
	model = await new ScriptedModel(script).start();
	feishu.addMinute({ token: LAUNCH, title: 'Product launch review', createTime: Date.now() - 2 * DAY });
	feishu.addMinute({ token: OLD_LAUNCH, title: 'Product launch retro', createTime: Date.now() - 40 * DAY });
	feishu.addMinute({ token: OTHER, title: 'Weekly sync', createTime: Date.now() - DAY });
	// the user may not read it: every endpoint of it answers 403 "permission deny" (2091005)
	feishu.addMinute({ token: FORBIDDEN, title: 'Board launch briefing', createTime: Date.now() - 3 * DAY, mediaError: 2091005 });

	await n8n.importJson('credentials', [
		{ id: 'openAiAccount01', name: 'OpenAI account', type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: model.url } },
		{ id: 'feishuUserOAuth01', name: 'Feishu user account', type: 'feishuOAuth2Api', data: connectedUser(feishu) },
	]);
	await n8n.importJson('workflow', [askYourMeetings()]);
}, 1_200_000);

afterAll(async () => {
	await model?.stop();
	await feishu?.stop();
	n8n?.cleanUp();
});

describe('Ask your meetings: AI Agent + OpenAI Chat Model (scripted) + Feishu Minutes Tool', () => {
	let status: number;
	let output: string;
	let runData: Record<string, NodeRuns>;
	let feishuRequests: string[];

	beforeAll(async () => {
		const before = feishu.requests.length;
		const result = await n8n.execute(WORKFLOW_ID);
		status = result.status;
		output = result.output;
		runData = (result.run?.data.resultData.runData ?? {}) as unknown as Record<string, NodeRuns>;
		feishuRequests = feishu.requests.slice(before).map((request) => `${request.method} ${request.path.split('?')[0]}`);
		console.log(`n8n ${n8n.install.version}: the agent's run made ${model.requests.length} model requests and ${feishuRequests.length} Feishu requests:\n  ${feishuRequests.join('\n  ')}`);
	}, 600_000);

	test('the run succeeds, the script answered every model request, and the agent answers with the notes\' summary', () => {
		expect({ status, failures: model.failures, output: status === 0 ? '' : output.slice(-3000) }).toEqual({ status: 0, failures: [], output: '' });
		const agentRuns = runData['AI Agent'];
		const answer = agentRuns[agentRuns.length - 1].data!.main[0][0].json.output;
		expect(answer).toEqual(expect.stringContaining(SUMMARY));
		expect(answer).toEqual(expect.stringMatching(/could not read: .*permission/i));
		expect(model.requests).toHaveLength(5);
	});

	test('the model is offered each tool node as a tool, its parameters from $fromAI', () => {
		const [first] = model.requests;
		expect(first.messages.map((message) => message.role)).toEqual(['system', 'user']);
		expect(first.messages[1].content).toBe(QUESTION);
		const tools = Object.fromEntries(first.tools.map((tool) => [tool.name, tool]));
		expect(Object.keys(tools).sort()).toEqual(['Get_AI_notes', 'Get_transcript', 'Meeting_recording', 'Search_minutes']);
		for (const tool of first.tools) expect(tool.description).toEqual(expect.any(String));
		expect(tools.Search_minutes.parameters).toMatchObject({
			type: 'object',
			properties: {
				keyword: { type: 'string', description: expect.stringContaining('at most 50 characters') },
				createdAfter: { type: 'string', description: expect.stringContaining('ISO 8601') },
				limit: { type: 'number', default: 5 },
			},
			required: ['keyword'],
		});
		expect(tools.Get_AI_notes.parameters).toMatchObject({
			properties: { minuteToken: { type: 'string', description: expect.stringContaining('24-character') } },
			required: ['minuteToken'],
		});
		expect(Object.keys(tools.Get_transcript.parameters.properties).sort()).toEqual(['maxCharacters', 'minuteToken', 'startAt']);
		expect(Object.keys(tools.Meeting_recording.parameters.properties)).toEqual(['meetingId']);
	});

	test('Search gives the model one compact item per minute: token, title, link, ISO created time', () => {
		const [search] = model.toolResults(model.requests[1]);
		expect(search.name).toBe('Search_minutes');
		// the keyword and the 7-day window leave only the launch review
		expect(search.content).toEqual([
			{ minuteToken: LAUNCH, title: 'Product launch review', link: expect.stringContaining(LAUNCH), createdTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
		]);
		const runs = runData['Search minutes'];
		expect(runs).toHaveLength(1);
		expect(runs[0].data!.ai_tool[0].map((item) => Object.keys(item.json).sort())).toEqual([['createdTime', 'link', 'minuteToken', 'title']]);
	});

	test('Get AI notes on the search result gives the model the simulator\'s notes', () => {
		const [, notes] = model.toolResults(model.requests[2]);
		expect(notes.name).toBe('Get_AI_notes');
		expect(notes.content).toEqual([expect.objectContaining({ minuteToken: LAUNCH, summary: SUMMARY, todos: expect.any(Array) })]);
	});

	test('Get transcript gives the model one part of the transcript, with its total length and where the next part starts', () => {
		const [, , transcript] = model.toolResults(model.requests[3]);
		expect(transcript.name).toBe('Get_transcript');
		const [part] = transcript.content as Array<{ transcript: string; totalCharacters: number }>;
		expect(part).toEqual(expect.objectContaining({ transcript: expect.stringContaining('the release is on track'), startAt: 0, nextStartAt: null }));
		expect(part.totalCharacters).toBe([...part.transcript].length);
	});

	test('a minute the user may not read comes back to the model as an error item, and the run goes on', () => {
		const [, , , denied] = model.toolResults(model.requests[4]);
		expect(denied.name).toBe('Get_AI_notes');
		expect(denied.content).toEqual([
			expect.objectContaining({ error: expect.stringMatching(/^Permission denied/), description: expect.stringContaining('Share'), feishuCode: 2091005 }),
		]);
		const notesRuns = runData['Get AI notes'];
		expect(notesRuns.map((run) => run.error?.message)).toEqual([undefined, undefined]);
	});

	test('what it costs: a search and the created time of each result, then one request per tool call', () => {
		const minutesCalls = feishuRequests.filter((request) => request.includes('/minutes/'));
		const minutes = '/open-apis/minutes/v1/minutes';
		expect(minutesCalls).toEqual([
			`POST ${minutes}/search`,
			// Search gives no creation time: one metadata request per minute found
			`GET ${minutes}/${LAUNCH}`,
			`GET ${minutes}/${LAUNCH}/artifacts`,
			`GET ${minutes}/${LAUNCH}/transcript`,
			`GET ${minutes}/${FORBIDDEN}/artifacts`,
		]);
	});
});
