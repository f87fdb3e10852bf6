/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The node as an AI agent's tool: n8n runs it under the type "…feishuMinutesTool" with the model's arguments.
 * Outputs are compact, a long transcript comes in parts, and a failed call is an item the model can read.
 */
import type { INodeParameters } from 'n8n-workflow';

import { NODE_NAME, READY_TOKEN, minutesWorkflow, startFeishu } from './harness/fixtures';
import { type CredentialStore, runWorkflow } from './harness/runWorkflow';
import { type FeishuSimulator, transcript } from './simulator/FeishuSimulator';

let feishu: FeishuSimulator;
let store: CredentialStore;

const FORBIDDEN = 'obcnforbiddenminute00001';
const NOW = Date.now();

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	feishu.addMinute({ token: FORBIDDEN, mediaError: 2091005 });
	feishu.addMinute({ token: 'obcnlaunchreview00000001', title: 'Launch review', createTime: NOW - 3600_000 });
	feishu.addMinute({ token: 'obcnlaunchretro000000002', title: 'Launch retro', createTime: NOW - 7200_000 });
});
afterEach(async () => await feishu.stop());

/** The workflow n8n builds for one tool call: the node under its tool type, the model's arguments as the item. */
async function callTool(parameters: INodeParameters, asTool = true) {
	const workflow = minutesWorkflow(parameters, { typeVersion: 2 });
	if (asTool) workflow.nodes[1].type = 'n8n-nodes-feishu-minutes.feishuMinutesTool';
	return await runWorkflow(workflow, { store, items: [{ json: { toolCallId: 'call_1' } }] });
}

test('Search gives a model each minute\'s token, title, link and creation time, and nothing else', async () => {
	const result = await callTool({ operation: 'search', keyword: 'Launch', limit: 5 });

	expect(result.error).toBeUndefined();
	expect(result.output(NODE_NAME).map((item) => item.json)).toEqual([
		{ minuteToken: 'obcnlaunchreview00000001', title: 'Launch review', link: 'https://sample.feishu.cn/minutes/obcnlaunchreview00000001', createdTime: new Date(NOW - 3600_000).toISOString() },
		{ minuteToken: 'obcnlaunchretro000000002', title: 'Launch retro', link: 'https://sample.feishu.cn/minutes/obcnlaunchretro000000002', createdTime: new Date(NOW - 7200_000).toISOString() },
	]);
	// as a workflow node: Feishu's full answer, as before
	const plain = await callTool({ operation: 'search', keyword: 'Launch', limit: 5 }, false);
	expect(plain.output(NODE_NAME)[0].json).toMatchObject({ minuteToken: 'obcnlaunchreview00000001', meta_data: expect.any(Object) });
});

test('Get AI Notes: the summary, chapters and to-dos in few words; a minute the app may not read is an error item, not a failed run', async () => {
	const notes = await callTool({ operation: 'getAiNotes', minute: { __rl: true, mode: 'id', value: READY_TOKEN } });
	expect(notes.output(NODE_NAME)[0].json).toEqual({
		minuteToken: READY_TOKEN,
		summary: '周会 Weekly sync: the team reviewed the release plan.',
		chapters: [{ title: 'Release plan', startSeconds: 1, summary: 'On track for Friday.' }],
		todos: ['Send the release notes'],
	});

	const refused = await callTool({ operation: 'getAiNotes', minute: { __rl: true, mode: 'id', value: FORBIDDEN } });
	expect(refused.error).toBeUndefined();
	expect(refused.output(NODE_NAME)[0].json).toMatchObject({
		error: expect.stringContaining('Permission denied for this minute'),
		description: expect.stringContaining('Share'),
		feishuCode: 2091005,
	});
	// a workflow without Continue On Fail still stops, as before
	expect((await callTool({ operation: 'getAiNotes', minute: { __rl: true, mode: 'id', value: FORBIDDEN } }, false)).error?.message).toContain('Permission denied');
});

test('Get Transcript in parts: the total length, and where the next part starts', async () => {
	const whole = transcript('txt', true, true);
	const first = await callTool({ operation: 'getTranscript', minute: { __rl: true, mode: 'id', value: READY_TOKEN }, maxCharacters: 40 });
	expect(first.output(NODE_NAME)[0].json).toEqual({
		minuteToken: READY_TOKEN,
		format: 'txt',
		transcript: [...whole].slice(0, 40).join(''),
		totalCharacters: [...whole].length,
		startAt: 0,
		nextStartAt: 40,
		more: `${[...whole].length - 40} more characters: call again with startAt 40`,
	});
	const rest = await callTool({ operation: 'getTranscript', minute: { __rl: true, mode: 'id', value: READY_TOKEN }, maxCharacters: 100_000, startAt: 40 });
	expect(rest.output(NODE_NAME)[0].json).toMatchObject({ transcript: [...whole].slice(40).join(''), nextStartAt: null });

	// an agent that sets no limit gets at most 20,000 characters; a workflow gets it whole, shaped as before
	const tool = await callTool({ operation: 'getTranscript', minute: { __rl: true, mode: 'id', value: READY_TOKEN } });
	expect(tool.output(NODE_NAME)[0].json).toMatchObject({ totalCharacters: [...whole].length, startAt: 0 });
	const plain = await callTool({ operation: 'getTranscript', minute: { __rl: true, mode: 'id', value: READY_TOKEN } }, false);
	expect(plain.output(NODE_NAME)[0].json).toEqual({ minuteToken: READY_TOKEN, format: 'txt', transcript: whole });

	const bad = await callTool({ operation: 'getTranscript', minute: { __rl: true, mode: 'id', value: READY_TOKEN }, maxCharacters: -5 });
	expect(bad.output(NODE_NAME)[0].json).toMatchObject({ error: 'The "Max Characters" field must be a whole number of at least 0' });
	expect(feishu.requestsTo('/transcript')).toHaveLength(4);
});

test('a model\'s malformed argument is an error item that shows the expected form, before any request', async () => {
	const result = await callTool({ operation: 'getAiNotes', minute: { __rl: true, mode: 'id', value: '={{ "the launch meeting" }}' } });
	expect(result.output(NODE_NAME)[0].json).toMatchObject({ error: expect.stringContaining('neither a 24-character minute token'), description: expect.stringContaining('obcnq3b9jl72l83w4f149w9c') });
	expect(feishu.requests).toHaveLength(0);
});
