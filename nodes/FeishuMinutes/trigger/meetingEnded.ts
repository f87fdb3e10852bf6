import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { abortableSleep } from '../helpers/abortableSleep';

import { RECORDING_NOT_READY_CODE } from '../transport/errors';
import { isoFromSeconds, type MeetingRecording } from '../transport/meetings';

/** The event Feishu sends when any meeting of the tenant ends (app level: no subscription call). */
export const MEETING_ENDED = 'vc.meeting.all_meeting_ended_v1';

/** How long to wait for a recording, and how often to ask. */
export interface RecordingWait {
	timeoutMs: number;
	pollIntervalMs: number;
	/**
	 * Right after a meeting ends Feishu may not know yet that a recording is coming (121004, "data not
	 * exist"); only after this long past the meeting's end does 121004 mean "not recorded".
	 */
	noRecordingGraceMs: number;
}

export const RECORDING_WAIT: RecordingWait = { timeoutMs: 30 * 60 * 1000, pollIntervalMs: 30 * 1000, noRecordingGraceMs: 10 * 60 * 1000 };

/** What became of a meeting: its recording, no recording this credential can read (start nothing), or no answer in time. */
export type RecordingOutcome =
	| { kind: 'recorded'; recording: MeetingRecording }
	| { kind: 'none'; reason: string }
	| { kind: 'failed'; error: string };

const codeOf = (error: unknown) => (error instanceof NodeApiError ? error.context.feishuCode : undefined);

/**
 * Asks for the meeting's recording until it is there, bounded by `wait`: 124002 (being generated) and,
 * shortly after the end, 121004 are waited out; 121004 later, 121005 (not the connected user's meeting)
 * and 122002 mean there is nothing to start; anything else fails the wait with its message.
 */
export async function awaitRecording(
	fetchRecording: () => Promise<MeetingRecording>,
	endedAt: number,
	wait: RecordingWait = RECORDING_WAIT,
	now: () => number = Date.now,
	signal?: AbortSignal,
): Promise<RecordingOutcome> {
	const deadline = now() + wait.timeoutMs;
	for (;;) {
		if (signal?.aborted) return { kind: 'none', reason: 'the trigger was closed while waiting' };
		let code: unknown;
		try {
			return { kind: 'recorded', recording: await fetchRecording() };
		} catch (error) {
			code = codeOf(error);
			if (code === 121005) return { kind: 'none', reason: 'the connected user does not own this meeting' };
			if (code === 122002) return { kind: 'none', reason: 'Feishu does not know this meeting' };
			if (code === 121004 && now() >= endedAt + wait.noRecordingGraceMs) return { kind: 'none', reason: 'the meeting was not recorded' };
			if (code !== RECORDING_NOT_READY_CODE && code !== 121004) return { kind: 'failed', error: (error as Error).message };
		}
		if (now() + wait.pollIntervalMs > deadline) {
			return { kind: 'failed', error: `The recording was not ready ${Math.round(wait.timeoutMs / 60_000)} minutes after the event (Feishu code ${String(code)})` };
		}
		await abortableSleep(wait.pollIntervalMs, signal);
	}
}

/** The event's meeting, named for the next node: ID, topic, number, times (ISO), organizer. */
export function meetingFacts(event: Record<string, unknown>): IDataObject | undefined {
	const meeting = (event.meeting ?? {}) as Record<string, unknown>;
	const id = typeof meeting.id === 'string' || typeof meeting.id === 'number' ? String(meeting.id) : '';
	if (!/^\d{1,20}$/.test(id)) return undefined;
	const host = ((meeting.host_user ?? {}) as { id?: { open_id?: unknown } }).id?.open_id;
	return {
		meetingId: id,
		topic: typeof meeting.topic === 'string' ? meeting.topic : '',
		meetingNumber: typeof meeting.meeting_no === 'string' ? meeting.meeting_no : null,
		startTime: isoFromSeconds(meeting.start_time),
		endTime: isoFromSeconds(meeting.end_time),
		hostOpenId: typeof host === 'string' ? host : null,
	};
}
