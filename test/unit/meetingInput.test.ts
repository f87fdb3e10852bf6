/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** From what users paste (meeting IDs, numbers, links) and what Feishu answers (recording URLs, big numeric IDs) to what the node uses. */
import { NodeApiError } from 'n8n-workflow';

import { parseMeeting } from '../../nodes/FeishuMinutes/helpers/meetingInput';
import { minuteTokenFromRecordingUrl, parseLosslessly } from '../../nodes/FeishuMinutes/transport/meetings';
import { awaitRecording, meetingFacts, type RecordingWait } from '../../nodes/FeishuMinutes/trigger/meetingEnded';

const MINUTE = 'obcnq3b9jl72l83w4f149w9c';

describe('the Meeting field', () => {
	test.each([
		['6911188411934433028', { meetingId: '6911188411934433028' }],
		[' 6911188411934433028\n', { meetingId: '6911188411934433028' }],
		['337736498', { meetingNumber: '337736498' }],
		['337 736 498', { meetingNumber: '337736498' }],
		['337-736-498', { meetingNumber: '337736498' }],
		['https://vc.feishu.cn/j/337736498', { meetingNumber: '337736498' }],
		['https://vc.larksuite.com/j/337736498?from=calendar', { meetingNumber: '337736498' }],
		['https://meetings.acme-private.cn/j/337736498/', { meetingNumber: '337736498' }],
	])('%j is read', (input, expected) => {
		expect(parseMeeting(input)).toEqual(expected);
	});

	test.each([
		['', 'is empty'],
		['   ', 'is empty'],
		['12345', 'neither a meeting ID'],
		['6911188411934433028x', 'neither a meeting ID'],
		['https://vc.feishu.cn/j/12345', 'not a meeting link'],
		[`https://sample.feishu.cn/minutes/${MINUTE}`, 'not a meeting link'],
		['https://exa mple.com/j/337736498', 'not a valid URL'],
		[{ id: 1 }, 'holds an object'],
		[['6911188411934433028'], 'holds a list'],
	])('%j is refused before any request: "%s"', (input, problem) => {
		const parsed = parseMeeting(input);
		expect(parsed).toEqual({ problem: expect.stringContaining(problem) });
	});

	test('a long pasted value is echoed bounded', () => {
		const parsed = parseMeeting(`meeting ${'x'.repeat(500)}`) as { problem: string };
		expect(parsed.problem.length).toBeLessThan(200);
	});
});

describe('Feishu\'s answers', () => {
	test('the minute token is the segment after /minutes/ of the recording URL', () => {
		expect(minuteTokenFromRecordingUrl(`https://meetings.feishu.cn/minutes/${MINUTE}`)).toBe(MINUTE);
		expect(minuteTokenFromRecordingUrl(`https://meetings.feishu.cn/minutes/${MINUTE}/?from=vc`)).toBe(MINUTE);
		expect(minuteTokenFromRecordingUrl('https://meetings.feishu.cn/recording/abc')).toBeUndefined();
		expect(minuteTokenFromRecordingUrl('not a url')).toBeUndefined();
	});

	test('meeting IDs sent as JSON numbers beyond 2^53 keep every digit; strings holding digits are untouched', () => {
		const text = '{"code":0,"data":{"ids":[7100000000000000001, 7100000000000000002],"note":"id 7100000000000000003, ok","n":5}}';
		// what a plain JSON.parse makes of it
		expect(BigInt((JSON.parse(text) as { data: { ids: number[] } }).data.ids[0])).not.toBe(7100000000000000001n);
		expect(parseLosslessly(text)).toEqual({ code: 0, data: { ids: ['7100000000000000001', '7100000000000000002'], note: 'id 7100000000000000003, ok', n: 5 } });
		expect(parseLosslessly('{"a":"x\\"7100000000000000001","b":7100000000000000004}')).toEqual({ a: 'x"7100000000000000001', b: '7100000000000000004' });
	});
});

describe('a meeting ended: waiting for its recording', () => {
	const WAIT: RecordingWait = { timeoutMs: 60_000, pollIntervalMs: 1, noRecordingGraceMs: 10_000 };
	const feishuError = (code: number) => {
		const error = new NodeApiError({ id: '1', name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, { message: 'x' });
		error.context.feishuCode = code;
		return error;
	};
	const recording = { meetingId: '7100000000000000001', minuteToken: MINUTE, url: `https://meetings.feishu.cn/minutes/${MINUTE}` };

	test('"being generated" (124002) and, right after the end, "no data" (121004) are waited out', async () => {
		const answers = [feishuError(121004), feishuError(124002), feishuError(124002)];
		let asked = 0;
		const outcome = await awaitRecording(async () => {
			asked++;
			const next = answers.shift();
			if (next) throw next;
			return recording;
		}, Date.now(), WAIT);
		expect(outcome).toEqual({ kind: 'recorded', recording });
		expect(asked).toBe(4);
	});

	test('121004 after the grace period: not recorded; 121005: not the user\'s meeting — nothing to start', async () => {
		await expect(awaitRecording(async () => await Promise.reject(feishuError(121004)), Date.now() - 20_000, WAIT)).resolves.toEqual({ kind: 'none', reason: 'the meeting was not recorded' });
		await expect(awaitRecording(async () => await Promise.reject(feishuError(121005)), Date.now(), WAIT)).resolves.toMatchObject({ kind: 'none' });
	});

	test('the wait is bounded, and another error is told, not waited on', async () => {
		let clock = 0;
		const outcome = await awaitRecording(async () => {
			clock += 20_000;
			return await Promise.reject(feishuError(124002));
		}, 0, { ...WAIT, noRecordingGraceMs: 0 }, () => clock);
		expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringContaining('not ready 1 minutes after') });
		await expect(awaitRecording(async () => await Promise.reject(feishuError(99991679)), Date.now(), WAIT)).resolves.toMatchObject({ kind: 'failed' });
	});

	test('a trigger closed while it waits: the wait ends at once, and nothing starts', async () => {
		const closing = new AbortController();
		let asked = 0;
		const started = Date.now();
		setTimeout(() => closing.abort(), 50);
		const outcome = await awaitRecording(
			async () => {
				asked++;
				return await Promise.reject(feishuError(124002));
			},
			Date.now(),
			{ timeoutMs: 60_000, pollIntervalMs: 30_000, noRecordingGraceMs: 0 },
			Date.now,
			closing.signal,
		);
		expect(outcome).toMatchObject({ kind: 'none', reason: expect.stringContaining('closed') });
		expect(asked).toBe(1);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('the event\'s meeting, named for the next node', () => {
		expect(
			meetingFacts({
				meeting: { id: '7100000000000000001', topic: 'Weekly sync', meeting_no: '337736498', start_time: '1732410000', end_time: '1732411800', host_user: { id: { open_id: 'ou_a' } } },
			}),
		).toEqual({
			meetingId: '7100000000000000001',
			topic: 'Weekly sync',
			meetingNumber: '337736498',
			startTime: '2024-11-24T01:00:00.000Z',
			endTime: '2024-11-24T01:30:00.000Z',
			hostOpenId: 'ou_a',
		});
		expect(meetingFacts({ meeting: { id: 'drop table' } })).toBeUndefined();
		expect(meetingFacts({})).toBeUndefined();
	});
});
