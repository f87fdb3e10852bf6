import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { FeishuClient, ReadyWait } from './client';
import { ENDPOINTS } from './endpoints';
import { RECORDING_NOT_READY_CODE } from './errors';

const VC_API = '/open-apis/vc/v1/meetings';

/** A meeting's recording, and the minute it became. */
export interface MeetingRecording {
	meetingId: string;
	/** The minute's token, from the recording's URL (…/minutes/<token>): what every Minute operation takes. */
	minuteToken?: string;
	url: string;
	/** Milliseconds, as Feishu gives it (a string), made a number. */
	duration?: number;
}

/** The path segment after /minutes/ in a recording URL, as Lark's CLI reads it. */
export function minuteTokenFromRecordingUrl(url: string): string | undefined {
	let path: string;
	try {
		path = new URL(url).pathname;
	} catch {
		return undefined;
	}
	const segments = path.split('/').filter((segment) => segment !== '');
	const at = segments.indexOf('minutes');
	const token = at >= 0 ? segments[at + 1] : undefined;
	return token && /^[A-Za-z0-9]{24}$/.test(token) ? token : undefined;
}

/** `GET /vc/v1/meetings/:id/recording`: the app sees every recording of the tenant, a user those of meetings they own. */
export async function getRecording(client: FeishuClient, meetingId: string, itemIndex: number, wait?: ReadyWait): Promise<MeetingRecording> {
	const data = await client.request<{ recording?: { url?: unknown; duration?: unknown } }>(
		ENDPOINTS.recording,
		{ path: `${VC_API}/${encodeURIComponent(meetingId)}/recording` },
		itemIndex,
		wait,
	);
	const url = typeof data.recording?.url === 'string' ? data.recording.url : '';
	if (url === '') {
		throw new NodeOperationError(client.node, `Meeting ${meetingId} has no recording`, {
			itemIndex,
			description: 'Feishu answered without a recording: the meeting was not recorded, or its recording was deleted.',
		});
	}
	const duration = Number(data.recording?.duration);
	return { meetingId, minuteToken: minuteTokenFromRecordingUrl(url), url, duration: Number.isFinite(duration) ? duration : undefined };
}

/** `GET /vc/v1/meetings/:id`: topic, number, start and end (unix seconds) — meetings of the last 90 days the caller owns (a user) or the tenant's (the app). */
export async function getMeeting(client: FeishuClient, meetingId: string, itemIndex: number): Promise<IDataObject> {
	const data = await client.request<{ meeting?: IDataObject }>(ENDPOINTS.meeting, { path: `${VC_API}/${encodeURIComponent(meetingId)}` }, itemIndex);
	return data.meeting ?? {};
}

/** Feishu's meeting times are unix seconds (as strings); "0" or nothing means not (yet) known. */
export function isoFromSeconds(value: unknown): string | null {
	const seconds = Number(value);
	return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
}

/** Feishu keeps meeting-number lookups for 90 days. */
const NUMBER_LOOKBACK_MS = 89 * 24 * 3600 * 1000;

/** Meetings that used a number are few; more than this many pages means something loops. */
const MAX_NUMBER_PAGES = 10;

/**
 * `GET /vc/v1/meetings/list_by_no`: the meetings that used a 9-digit number in the last 90 days, newest
 * first. Feishu gives no start times here; meeting IDs grow with time (snowflake-like), so a larger ID is
 * a later meeting — our reading of the IDs Feishu issues, not a documented promise.
 */
export async function meetingsByNumber(client: FeishuClient, meetingNumber: string, itemIndex: number, now = Date.now()): Promise<string[]> {
	const ids = new Set<string>();
	const seenTokens = new Set<string>();
	let pageToken: string | undefined;
	for (let page = 0; page < MAX_NUMBER_PAGES; page++) {
		const data = await client.request<{ meeting_briefs?: Array<{ id?: unknown }>; has_more?: boolean; page_token?: string }>(
			ENDPOINTS.meetingsByNumber,
			{
				path: `${VC_API}/list_by_no`,
				qs: {
					meeting_no: meetingNumber,
					start_time: String(Math.floor((now - NUMBER_LOOKBACK_MS) / 1000)),
					end_time: String(Math.ceil(now / 1000) + 60),
					page_size: 50,
					...(pageToken ? { page_token: pageToken } : {}),
				},
			},
			itemIndex,
		);
		for (const brief of data.meeting_briefs ?? []) if (typeof brief.id === 'string' && /^\d+$/.test(brief.id)) ids.add(brief.id);
		pageToken = data.has_more && typeof data.page_token === 'string' && !seenTokens.has(data.page_token) ? data.page_token : undefined;
		if (!pageToken) break;
		seenTokens.add(pageToken);
	}
	return [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
}

/**
 * A calendar event → the meetings held for it, as Lark's CLI finds them: the user's primary calendar, then
 * the event's relation info. The meeting IDs come as JSON numbers beyond 2^53, so the answer is read as text.
 */
export async function calendarEventMeetings(client: FeishuClient, eventId: string, itemIndex: number): Promise<string[]> {
	const primary = await client.request<{ calendars?: Array<{ calendar?: { calendar_id?: unknown } }> }>(
		ENDPOINTS.primaryCalendar,
		{ path: '/open-apis/calendar/v4/calendars/primary' },
		itemIndex,
	);
	const calendarId = primary.calendars?.[0]?.calendar?.calendar_id;
	if (typeof calendarId !== 'string' || calendarId === '') {
		throw new NodeOperationError(client.node, 'Feishu returned no primary calendar for the connected user', { itemIndex });
	}
	const text = await client.requestText(
		ENDPOINTS.calendarEventMeetings,
		{
			path: `/open-apis/calendar/v4/calendars/${encodeURIComponent(calendarId)}/events/mget_instance_relation_info`,
			body: { instance_ids: [eventId], need_meeting_instance_ids: true },
		},
		itemIndex,
	);
	const answer = parseLosslessly(text) as { data?: { instance_relation_infos?: Array<{ meeting_instance_ids?: unknown[] }> } };
	const ids = answer.data?.instance_relation_infos?.flatMap((info) => info.meeting_instance_ids ?? []) ?? [];
	return [...new Set(ids.map(String).filter((id) => /^\d+$/.test(id)))];
}

/** JSON.parse, with integers too long for a double kept as their digits. */
export function parseLosslessly(text: string): unknown {
	return JSON.parse(text.replace(/("(?:[^"\\]|\\.)*")|(-?\d{16,})(?=\s*[,\]}])/g, (match, quoted: string | undefined) => (quoted ? match : `"${match}"`)));
}

/** How many meetings one lookup tries before it gives up (a number reused daily, an event with many sessions). */
const MAX_CANDIDATES = 10;

/**
 * The recording of the first candidate meeting that has one, newest first, as Lark's CLI does for a
 * calendar event. A candidate whose recording is still being generated is the one (waited for if asked).
 */
export async function firstRecording(
	client: FeishuClient,
	candidates: string[],
	describe: string,
	itemIndex: number,
	wait?: ReadyWait,
): Promise<MeetingRecording> {
	if (candidates.length === 0) {
		throw new NodeOperationError(client.node, `No meeting found for ${describe}`, {
			itemIndex,
			description: 'Feishu knows no meeting for it (meeting numbers are looked up over the last 90 days). Check the input, or use the meeting ID.',
		});
	}
	let lastRefusal: unknown;
	for (const meetingId of candidates.slice(0, MAX_CANDIDATES)) {
		try {
			return await getRecording(client, meetingId, itemIndex, candidates.length === 1 ? wait : undefined);
		} catch (error) {
			const code = error instanceof NodeApiError ? error.context.feishuCode : undefined;
			if (code === RECORDING_NOT_READY_CODE && wait) return await getRecording(client, meetingId, itemIndex, wait);
			// no recording, or none this identity may read: the next candidate may have one
			const skippable = code === 121004 || code === 121005 || code === 122002 || error instanceof NodeOperationError;
			if (skippable && candidates.length > 1) {
				lastRefusal = error;
				continue;
			}
			// both constructors hand back an error of their own class unchanged
			if (error instanceof NodeApiError) throw new NodeApiError(client.node, error as unknown as JsonObject);
			throw new NodeOperationError(client.node, error as Error, { itemIndex });
		}
	}
	const tried = Math.min(candidates.length, MAX_CANDIDATES);
	throw new NodeOperationError(client.node, `None of the ${tried} meetings found for ${describe} has a recording this credential can read`, {
		itemIndex,
		description: `Last answer: ${(lastRefusal as Error).message}. Meetings tried, newest first: ${candidates.slice(0, MAX_CANDIDATES).join(', ')}. Use the meeting ID to pick one.`,
	});
}
