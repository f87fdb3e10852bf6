import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ENDPOINTS } from '../../transport/endpoints';
import { getMeeting, isoFromSeconds } from '../../transport/meetings';
import { searchMeetings } from '../../transport/meetingSearch';
import type { FeishuClient } from '../../transport/client';
import type { OperationModule, OperationRun } from '../operation';
import { readKeyword, readLimit, readWindow, returnAllFields } from '../searchInput';

/** Without Started After, the window reaches this far back from Started Before. */
const DEFAULT_WINDOW_DAYS = 7;

/** Without Started Before, the window ends this far past now: Feishu's clock may run ahead of n8n's. */
const CLOCK_MARGIN_MS = 20 * 60 * 1000;

/** Feishu takes at most 128 organizers and 128 participants. */
const MAX_PEOPLE = 128;

/** Details are asked for this many meetings at a time (the rate limiter paces them). */
const DETAILS_AT_ONCE = 8;

export const option: OperationModule['option'] = {
	name: 'Search',
	action: 'Search meetings',
	description: 'Find the connected user\'s ended meetings by keyword, start time, organizer or participant',
};

export const fields: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		description: 'Words in the meeting\'s topic (at most 50 characters); empty finds all in the window',
	},
	{
		displayName: 'Started After',
		name: 'startedAfter',
		type: 'dateTime',
		default: '',
		hint: 'Empty: 7 days before Started Before',
		description: 'Only meetings that started at or after this time (ISO 8601, e.g. 2026-11-23T00:00:00+08:00). Longer windows are searched a month at a time.',
	},
	{
		displayName: 'Started Before',
		name: 'startedBefore',
		type: 'dateTime',
		default: '',
		hint: 'Empty: now',
		description: 'Only meetings that started before this time (ISO 8601)',
	},
	{
		displayName: 'Organizer IDs',
		name: 'organizerIds',
		type: 'string',
		default: '',
		placeholder: 'ou_7d8a6e6df7621556ce0d21922b676706ccs',
		description: 'Only meetings organized by these users: open_ids (ou_…), separated by commas',
	},
	{
		displayName: 'Participant IDs',
		name: 'participantIds',
		type: 'string',
		default: '',
		placeholder: 'ou_7d8a6e6df7621556ce0d21922b676706ccs',
		description: 'Only meetings these users took part in: open_ids (ou_…), separated by commas',
	},
	{
		displayName: 'Add Start and End Times',
		name: 'addDetails',
		type: 'boolean',
		default: true,
		description:
			'Whether to add each meeting\'s start and end time and number (one more request per meeting; Feishu gives them for meetings of the last 90 days the user owns)',
	},
	...returnAllFields,
];

export const endpoint = ENDPOINTS.meetingSearch;

/** Add Start and End Times asks for each meeting's details. */
export const alsoCalls = [ENDPOINTS.meeting];

export const options: OperationModule['options'] = [];

/** One output item per meeting: its ID (for Get Recording and the Minute field's By Meeting), topic and times. */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit(this, itemIndex);
	const keyword = readKeyword(this, itemIndex);
	const { from, to } = readWindow(
		this,
		{ name: 'startedAfter', label: 'Started After' },
		{ name: 'startedBefore', label: 'Started Before' },
		{ windowMs: DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000, marginMs: CLOCK_MARGIN_MS },
		itemIndex,
	);
	const organizerIds = readOpenIds(this, 'organizerIds', 'Organizer IDs', itemIndex);
	const participantIds = readOpenIds(this, 'participantIds', 'Participant IDs', itemIndex);
	const addDetails = this.getNodeParameter('addDetails', itemIndex, true) as boolean;

	const found = await searchMeetings(client, { keyword, from, to, organizerIds, participantIds }, limit, itemIndex);
	const meetings = found.map(summary);
	if (addDetails) {
		for (let start = 0; start < meetings.length; start += DETAILS_AT_ONCE) {
			await Promise.all(meetings.slice(start, start + DETAILS_AT_ONCE).map(async (meeting) => await addTimes(client, meeting, itemIndex)));
		}
		// newest first where Feishu said when; then the others, in Feishu's order
		const timed = meetings.filter((meeting) => typeof meeting.startTime === 'string').sort((a, b) => String(b.startTime).localeCompare(String(a.startTime)));
		return [...timed, ...meetings.filter((meeting) => typeof meeting.startTime !== 'string')].map((json) => ({ json, pairedItem: { item: itemIndex } }));
	}
	return meetings.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

/** What a search result says of a meeting, named for the next node. */
function summary(item: IDataObject): IDataObject {
	const meta = (item.meta_data ?? {}) as IDataObject;
	return {
		meetingId: String(item.id),
		// Feishu marks the matched words with <h></h>
		topic: String(item.display_info ?? '').replace(/<\/?h>/g, ''),
		description: typeof meta.description === 'string' ? meta.description : '',
		link: typeof meta.app_link === 'string' ? meta.app_link : null,
	};
}

/** Start, end and number from the meeting's details; a meeting Feishu will not detail keeps its summary, and says why. */
async function addTimes(client: FeishuClient, meeting: IDataObject, itemIndex: number): Promise<void> {
	try {
		const details = await getMeeting(client, String(meeting.meetingId), itemIndex);
		meeting.startTime = isoFromSeconds(details.start_time);
		meeting.endTime = isoFromSeconds(details.end_time);
		meeting.meetingNumber = typeof details.meeting_no === 'string' ? details.meeting_no : null;
	} catch (error) {
		meeting.startTime = null;
		meeting.endTime = null;
		meeting.detailsError = (error as Error).message;
	}
}

/** open_ids separated by commas (or lines), as Feishu's search takes them. */
function readOpenIds(context: IExecuteFunctions, name: string, label: string, itemIndex: number): string[] {
	const raw = context.getNodeParameter(name, itemIndex, '') as unknown;
	const list = (Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[\s,]+/)).map((id) => id.trim()).filter(Boolean);
	const bad = list.find((id) => !/^ou_\w+$/.test(id));
	if (bad !== undefined || list.length > MAX_PEOPLE) {
		throw new NodeOperationError(context.getNode(), bad !== undefined ? `The "${label}" field holds something that is not an open_id: ${JSON.stringify(bad.slice(0, 40))}` : `The "${label}" field holds more than ${MAX_PEOPLE} IDs`, {
			itemIndex,
			description: `Enter users' open_ids (ou_…), separated by commas; Feishu takes up to ${MAX_PEOPLE}.`,
		});
	}
	return [...new Set(list)];
}
