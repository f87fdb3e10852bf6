import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ENDPOINTS } from '../../transport/endpoints';
import { type OperationModule, type OperationRun, readReadyWait } from '../operation';
import { meetingField, readMeeting, recordingOf } from './meetingInput';

export const option: OperationModule['option'] = {
	name: 'Get Recording',
	action: 'Get the recording of a meeting',
	description: 'Get a meeting\'s recording: its URL, its duration and the minute token every Minute operation takes',
};

export const fields = [meetingField];

export const endpoint = ENDPOINTS.recording;

/** A meeting number or link is looked up first; a calendar event through the user's primary calendar. */
export const alsoCalls = [ENDPOINTS.meetingsByNumber, ENDPOINTS.primaryCalendar, ENDPOINTS.calendarEventMeetings];

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** The recording of the meeting (or of the newest recorded meeting behind a number or calendar event). */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const meeting = readMeeting(this, 'meeting', itemIndex);
	const recording = await recordingOf(client, meeting, itemIndex, readReadyWait(this, itemIndex));
	return {
		json: { meetingId: recording.meetingId, minuteToken: recording.minuteToken ?? null, url: recording.url, duration: recording.duration ?? null },
		pairedItem: { item: itemIndex },
	};
}
