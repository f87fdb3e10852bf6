import { transcript, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import type { CredentialStore } from './harness/runWorkflow';

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
});
afterEach(async () => await feishu.stop());

test('Get returns the minute\'s metadata, from a token or a Lark link', async () => {
	const result = await runMinutes(
		store,
		{ operation: 'get', minute: '={{ $json.minute }}' },
		{ items: itemsWithMinutes([READY_TOKEN, `https://acme.larksuite.com/minutes/${READY_TOKEN}?t=1`]) },
	);

	expect(result.error).toBeUndefined();
	for (const item of result.output(NODE_NAME)) {
		expect(item.json).toMatchObject({
			minuteToken: READY_TOKEN,
			token: READY_TOKEN,
			title: '周会 Weekly sync',
			owner_id: 'ou_simulated_owner',
			create_time: '1732406400000',
			duration: '1800000',
			url: `https://sample.feishu.cn/minutes/${READY_TOKEN}`,
		});
	}
	expect(feishu.requestsTo(`/open-apis/minutes/v1/minutes/${READY_TOKEN}`).map((request) => request.path)).toEqual([
		`/open-apis/minutes/v1/minutes/${READY_TOKEN}`,
		`/open-apis/minutes/v1/minutes/${READY_TOKEN}`,
	]);
});

test('Get Statistics returns view counts and viewers', async () => {
	const result = await runMinutes(store, { operation: 'getStatistics', minute: READY_TOKEN });

	expect(result.output(NODE_NAME)[0].json).toEqual({
		minuteToken: READY_TOKEN,
		user_view_count: '3',
		page_view_count: '7',
		user_view_list: [{ user_id: 'ou_simulated_viewer', view_time: '1732410000000' }],
	});
});

describe('Get Transcript', () => {
	test('as text, with the speaker, timestamp and format choices sent to Feishu', async () => {
		const result = await runMinutes(store, {
			operation: 'getTranscript',
			minute: READY_TOKEN,
			fileFormat: 'srt',
			includeSpeakers: false,
		});

		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toEqual({
			minuteToken: READY_TOKEN,
			format: 'srt',
			transcript: transcript('srt', false, true),
		});
		const [request] = feishu.requestsTo('/transcript');
		expect(new URL(request.path, feishu.apiUrl).searchParams.toString()).toBe(
			'need_speaker=false&need_timestamp=true&file_format=srt',
		);
	});

	test('as a binary file named by Feishu', async () => {
		const result = await runMinutes(store, { operation: 'getTranscript', minute: READY_TOKEN, output: 'file' });

		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ minuteToken: READY_TOKEN, format: 'txt', fileName: '周会 Weekly sync.txt' });
		expect(item.binary!.data).toMatchObject({ fileName: '周会 Weekly sync.txt', mimeType: 'text/plain' });
		expect(Buffer.from(item.binary!.data.data, 'base64').toString('utf8')).toBe(transcript('txt', true, true));
	});
});

test.each(['get', 'getStatistics', 'getTranscript'])('%s maps Feishu errors and continues on fail like Get Media', async (operation) => {
	feishu.addMinute({ token: 'denieddenieddenieddenied', mediaError: 2091005 });
	const result = await runMinutes(
		store,
		{ operation, minute: '={{ $json.minute }}' },
		{ items: itemsWithMinutes(['denieddenieddenieddenied', 'not-a-minute', READY_TOKEN]), continueOnFail: true },
	);

	const [denied, invalid, ok] = result.output(NODE_NAME);
	expect(denied.json).toMatchObject({ feishuCode: 2091005, httpCode: 403, error: expect.stringContaining('Permission denied') });
	expect(invalid.json.error).toContain('neither a 24-character minute token');
	expect(ok.json.error).toBeUndefined();
	expect(ok.json.minuteToken).toBe(READY_TOKEN);
});
