import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FeishuClient, FeishuFile, ReadyWait } from './client';
import type { ScopedEndpoint } from './errors';

/** Who a token speaks for: the app (tenant token) or the user who connected (OAuth2). */
export type Identity = 'app' | 'user';

/** Feishu counts requests per app and per API; endpoints that share a count share a budget. */
export const RATE_BUDGETS = {
	/** Minutes v1 reads: 5 requests per second per app (the media page). */
	minutes: { limit: 5, windowMs: 1000 },
	/** Minutes search: 100 requests per minute per app (its own page). */
	search: { limit: 100, windowMs: 60_000 },
	/** A meeting's recording: 50/s and 1000/min per app; paced by Requests Per Second like the minutes reads. */
	recording: { limit: 16, windowMs: 1000 },
	/** A meeting's details: 50/s and 1000/min per app, like the recording. */
	meeting: { limit: 16, windowMs: 1000 },
	/** Meeting search: 100 requests per minute per app (its page). */
	meetingSearch: { limit: 100, windowMs: 60_000 },
	/** Meetings by number: 100 requests per minute per app (its page). */
	meetingsByNumber: { limit: 100, windowMs: 60_000 },
	/** Calendar lookups: no documented figure; 100 per minute stays far inside any calendar limit. */
	calendar: { limit: 100, windowMs: 60_000 },
} as const;

export type RateBudget = keyof typeof RATE_BUDGETS;

/** What Feishu's contract says about one endpoint; operations and triggers inherit it. */
export interface Endpoint extends ScopedEndpoint {
	method: IHttpRequestMethods;
	identities: readonly Identity[];
	budget: RateBudget;
	/** Answers with a file on success (JSON only on errors). */
	returnsFile?: boolean;
	/** Answers JSON that must be read as text first (numbers too large for JSON.parse). */
	returnsText?: boolean;
	/** Why Feishu may refuse an app token here though `identities` allows it (newer in Feishu than user tokens). */
	appTokenCaveat?: string;
}

const MINUTES_API = '/open-apis/minutes/v1/minutes';

export const ENDPOINTS = {
	minute: {
		name: 'Get',
		method: 'GET',
		scopes: ['minutes:minutes:readonly', 'minutes:minutes', 'minutes:minutes.basic:read'],
		identities: ['app', 'user'],
		budget: 'minutes',
	},
	media: {
		name: 'Get Media',
		method: 'GET',
		scopes: ['minutes:minutes.media:export', 'minutes:minute:download'],
		identities: ['app', 'user'],
		budget: 'minutes',
	},
	statistics: {
		name: 'Get Statistics',
		method: 'GET',
		scopes: ['minutes:minutes:readonly', 'minutes:minutes', 'minutes:minutes.statistics:read'],
		identities: ['app', 'user'],
		budget: 'minutes',
	},
	transcript: {
		name: 'Get Transcript',
		method: 'GET',
		scopes: ['minutes:minutes.transcript:export', 'minutes:minute:download'],
		identities: ['app', 'user'],
		budget: 'minutes',
		returnsFile: true,
	},
	artifacts: {
		name: 'Get AI Notes',
		method: 'GET',
		scopes: ['minutes:minutes.artifacts:read'],
		identities: ['app', 'user'],
		budget: 'minutes',
	},
	search: {
		name: 'Search',
		method: 'POST',
		scopes: ['minutes:minutes.search:read'],
		// app tokens: Feishu's Python SDK and Lark's CLI (2026-08); older deployments answer 99991663
		identities: ['app', 'user'],
		budget: 'search',
		appTokenCaveat:
			'Feishu takes app tokens for Search only from custom (self-built) apps, and older deployments take none. Pick a Feishu OAuth2 API credential (a user) instead, or check that the app is a custom app with minutes:minutes.search:read enabled and published.',
	},
	subscription: {
		name: 'Event Trigger',
		method: 'POST',
		scopes: ['minutes:minutes.basic:read'],
		identities: ['user'],
		budget: 'minutes',
	},
	recording: {
		name: 'Get Recording',
		method: 'GET',
		// the app sees the tenant's recordings; a user only those of meetings they own
		scopes: ['vc:record:readonly'],
		identities: ['app', 'user'],
		budget: 'recording',
	},
	meeting: {
		name: 'Meeting Details',
		method: 'GET',
		// the app sees the tenant's meetings, a user only those they own; both only the last 90 days
		scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
		identities: ['app', 'user'],
		budget: 'meeting',
	},
	meetingSearch: {
		name: 'Meeting Search',
		method: 'POST',
		scopes: ['vc:meeting.search:read'],
		identities: ['user'],
		budget: 'meetingSearch',
	},
	meetingsByNumber: {
		name: 'Meeting by Number',
		method: 'GET',
		scopes: ['vc:meeting.meetingid:read', 'vc:meeting:readonly'],
		identities: ['app', 'user'],
		budget: 'meetingsByNumber',
	},
	primaryCalendar: {
		name: 'Calendar Event',
		method: 'POST',
		scopes: ['calendar:calendar:read', 'calendar:calendar:readonly'],
		identities: ['user'],
		budget: 'calendar',
	},
	calendarEventMeetings: {
		name: 'Calendar Event',
		method: 'POST',
		scopes: ['calendar:calendar.event:read', 'calendar:calendar.event:readonly'],
		identities: ['user'],
		budget: 'calendar',
		// meeting IDs come as JSON numbers beyond 2^53: the body is read as text
		returnsText: true,
	},
} as const satisfies Record<string, Endpoint>;

/** A minute token is validated before it gets here; encoding keeps the path fixed whatever it holds. */
const minutePath = (minuteToken: string, suffix = '') => `${MINUTES_API}/${encodeURIComponent(minuteToken)}${suffix}`;

/** The minute's metadata: title, owner, create time, duration, URL, cover. */
export async function getMinute(client: FeishuClient, minuteToken: string, itemIndex: number, wait?: ReadyWait) {
	const data = await client.request<{ minute?: IDataObject }>(ENDPOINTS.minute, { path: minutePath(minuteToken) }, itemIndex, wait);
	return data.minute ?? {};
}

/** A download URL for the recording, valid for one day. */
export async function getMedia(client: FeishuClient, minuteToken: string, itemIndex: number, wait?: ReadyWait) {
	return await client.request<{ download_url?: unknown }>(ENDPOINTS.media, { path: minutePath(minuteToken, '/media') }, itemIndex, wait);
}

/** View counts and viewers. */
export async function getStatistics(client: FeishuClient, minuteToken: string, itemIndex: number, wait?: ReadyWait) {
	const data = await client.request<{ statistics?: IDataObject }>(
		ENDPOINTS.statistics,
		{ path: minutePath(minuteToken, '/statistics') },
		itemIndex,
		wait,
	);
	return data.statistics ?? {};
}

export interface TranscriptQuery {
	need_speaker: boolean;
	need_timestamp: boolean;
	file_format: 'txt' | 'srt';
}

/** The transcript file (txt or srt). */
export async function getTranscript(
	client: FeishuClient,
	minuteToken: string,
	query: TranscriptQuery,
	itemIndex: number,
	wait?: ReadyWait,
): Promise<FeishuFile> {
	return await client.requestFile(
		ENDPOINTS.transcript,
		{ path: minutePath(minuteToken, '/transcript'), qs: { ...query } },
		itemIndex,
		wait,
	);
}

/** Feishu's AI notes: summary, chapters, to-dos. */
export async function getArtifacts(client: FeishuClient, minuteToken: string, itemIndex: number, wait?: ReadyWait) {
	return await client.request<IDataObject>(ENDPOINTS.artifacts, { path: minutePath(minuteToken, '/artifacts') }, itemIndex, wait);
}

/** The event a new minute raises; the only one Minutes subscriptions take. */
export const MINUTE_GENERATED = 'minutes.minute.generated_v1';

/** Turns the connected user's "new minute" events on (or off): they go to the app's Request URL. */
export async function setMinuteEvents(client: FeishuClient, on: boolean): Promise<void> {
	await client.request(ENDPOINTS.subscription, { path: `${MINUTES_API}/${on ? 'subscription' : 'unsubscription'}`, body: { event_type: MINUTE_GENERATED } }, 0);
}

interface SearchPage {
	items?: IDataObject[];
	has_more?: boolean;
	page_token?: string;
}

/** What to search for: a keyword and a create-time window (ms since epoch). */
export interface SearchQuery {
	keyword?: string;
	from: number;
	to: number;
}

/** Feishu's page size limit for minutes search. */
const SEARCH_PAGE_SIZE = 30;

/** The longest window one search may span: Lark's CLI limits it to one month; February has 28 days. */
export const SEARCH_WINDOW_MS = 28 * 24 * 3600 * 1000;

/** Pages a search may take before it is refused as too broad (6,000 minutes). */
const MAX_SEARCH_PAGES = 200;

/**
 * Minutes created in the window, newest first, at most `limit`. A window longer than Feishu's month
 * is searched in pieces, newest piece first; paging ends at the last page, at a page token seen
 * before, or at a page with nothing new — never in a loop.
 */
export async function searchMinutes(client: FeishuClient, query: SearchQuery, limit: number, itemIndex: number): Promise<IDataObject[]> {
	const found = new Map<string, IDataObject>();
	let pages = 0;
	for (let to = query.to; to > query.from && found.size < limit; to -= SEARCH_WINDOW_MS) {
		const body: IDataObject = {
			...(query.keyword ? { query: query.keyword } : {}),
			filter: { create_time: { start_time: rfc3339(Math.max(query.from, to - SEARCH_WINDOW_MS)), end_time: rfc3339(to) } },
			sorter: 'create_time_desc',
		};
		const pageTokens = new Set<string>();
		let pageToken: string | undefined;
		do {
			if (++pages > MAX_SEARCH_PAGES) throw tooBroad(client, itemIndex);
			const page = await client.request<SearchPage>(
				ENDPOINTS.search,
				{
					path: `${MINUTES_API}/search`,
					qs: { page_size: Math.min(SEARCH_PAGE_SIZE, limit - found.size), ...(pageToken ? { page_token: pageToken } : {}) },
					body,
				},
				itemIndex,
			);
			const before = found.size;
			for (const item of page.items ?? []) if (typeof item.token === 'string' && !found.has(item.token)) found.set(item.token, item);
			const next = page.has_more && typeof page.page_token === 'string' ? page.page_token : undefined;
			pageToken = next && !pageTokens.has(next) && found.size > before ? next : undefined;
			if (pageToken) pageTokens.add(pageToken);
		} while (pageToken && found.size < limit);
	}
	return [...found.values()].slice(0, limit);
}

/** Feishu's format: RFC 3339 with a zone, whole seconds (start rounded down, end up by the caller's margin). */
export function rfc3339(time: number): string {
	return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function tooBroad(client: FeishuClient, itemIndex: number): NodeOperationError {
	return new NodeOperationError(client.node, `The search matched more than ${MAX_SEARCH_PAGES * SEARCH_PAGE_SIZE} minutes`, {
		itemIndex,
		description: 'Narrow it with a keyword or a shorter Created After / Created Before window, and run it in several parts.',
	});
}
