import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MEETING_FIELD_HINT, MEETING_LINK, parseMeeting } from '../../helpers/meetingInput';
import type { FeishuClient, ReadyWait } from '../../transport/client';
import { calendarEventMeetings, firstRecording, type MeetingRecording, meetingsByNumber } from '../../transport/meetings';

/** A meeting as the user named it, checked: its ID, a number (or link) to look up, or a calendar event. */
export type MeetingRef = { meetingId: string } | { meetingNumber: string } | { calendarEventId: string };

/** Calendar event IDs: a UUID with an instance suffix (…_0), letters, digits and a few signs. */
const CALENDAR_EVENT_ID = /^[\w.@:-]{1,200}$/;

/** What the Minute field's By Meeting mode accepts: a meeting ID, a 9-digit number (maybe grouped) or a meeting link. */
export const MEETING_REF_PATTERN = `^\\s*(\\d{15,20}|\\d{3}[\\s-]?\\d{3}[\\s-]?\\d{3})\\s*$|${MEETING_LINK}`;

/** The Meeting field: by ID (or number), by link, or from a calendar event (user credential). */
export const meetingField: INodeProperties = {
	displayName: 'Meeting',
	name: 'meeting',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'id', value: '' },
	description: MEETING_FIELD_HINT,
	modes: [
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '6911188411934433028',
			hint: 'The meeting ID, or the 9-digit meeting number (its most recent meeting with a recording)',
		},
		{
			displayName: 'By Link',
			name: 'url',
			type: 'string',
			placeholder: 'https://vc.feishu.cn/j/337736498',
			validation: [{ type: 'regex', properties: { regex: MEETING_LINK, errorMessage: 'Not a meeting link: https://vc.feishu.cn/j/<9-digit number>' } }],
		},
		{
			displayName: 'From Calendar Event',
			name: 'calendarEvent',
			type: 'string',
			placeholder: '75d28f9b-e35c-4230-8a83-4a661497db54_0',
			hint: 'The event ID from the connected user\'s primary calendar (needs a Feishu OAuth2 API credential)',
		},
	],
};

/** Reads a meeting from a resource locator (or text) and rejects bad input before any request. */
export function readMeeting(context: IExecuteFunctions, name: string, itemIndex: number, fieldLabel = 'Meeting'): MeetingRef {
	const raw = context.getNodeParameter(name, itemIndex) as unknown;
	const locator = raw && typeof raw === 'object' && (raw as { __rl?: unknown }).__rl === true ? (raw as { mode?: unknown; value?: unknown }) : undefined;
	const value = locator ? locator.value : raw;
	if (locator?.mode === 'calendarEvent') {
		const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
		if (CALENDAR_EVENT_ID.test(text)) return { calendarEventId: text };
		throw new NodeOperationError(context.getNode(), text === '' ? `The ${fieldLabel} field is empty` : `The ${fieldLabel} field does not hold a calendar event ID`, {
			itemIndex,
			description: 'Enter the event ID from Feishu Calendar, e.g. 75d28f9b-e35c-4230-8a83-4a661497db54_0 (the Calendar API and Feishu\'s calendar events give it).',
		});
	}
	const parsed = parseMeeting(value, fieldLabel);
	if ('problem' in parsed) throw new NodeOperationError(context.getNode(), parsed.problem, { itemIndex, description: MEETING_FIELD_HINT });
	return parsed;
}

/** The meeting's recording: straight from its ID, or the newest recorded meeting behind a number or calendar event. */
export async function recordingOf(client: FeishuClient, ref: MeetingRef, itemIndex: number, wait?: ReadyWait): Promise<MeetingRecording> {
	if ('meetingId' in ref) return await firstRecording(client, [ref.meetingId], `meeting ${ref.meetingId}`, itemIndex, wait);
	if ('meetingNumber' in ref) {
		const candidates = await meetingsByNumber(client, ref.meetingNumber, itemIndex);
		return await firstRecording(client, candidates, `meeting number ${ref.meetingNumber}`, itemIndex, wait);
	}
	const candidates = await calendarEventMeetings(client, ref.calendarEventId, itemIndex);
	return await firstRecording(client, candidates, `calendar event ${ref.calendarEventId}`, itemIndex, wait);
}

/** The minute a meeting's recording became: its token, or an error that says why there is none. */
export async function minuteTokenOfMeeting(client: FeishuClient, ref: MeetingRef, itemIndex: number, wait?: ReadyWait): Promise<string> {
	const recording = await recordingOf(client, ref, itemIndex, wait);
	if (recording.minuteToken) return recording.minuteToken;
	throw new NodeOperationError(client.node, `The recording of meeting ${recording.meetingId} has no minute`, {
		itemIndex,
		description: `Feishu gave the recording as ${recording.url}, which is not a Minutes link. Open it in Feishu; a recording made before Minutes existed in the tenant has no minute.`,
	});
}
