import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

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
} as const;

export type RateBudget = keyof typeof RATE_BUDGETS;

/** What Feishu's contract says about one endpoint; operations and triggers inherit it. */
export interface Endpoint extends ScopedEndpoint {
	method: IHttpRequestMethods;
	identities: readonly Identity[];
	budget: RateBudget;
	/** Answers with a file on success (JSON only on errors). */
	returnsFile?: boolean;
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
		identities: ['user'],
		budget: 'search',
	},
} as const satisfies Record<string, Endpoint>;

/** Feishu's page size limit for minutes search. */
const SEARCH_PAGE_SIZE = 30;

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

interface SearchPage {
	items?: IDataObject[];
	has_more?: boolean;
	page_token?: string;
}

/** Pages through minutes search until `limit` results or the last page. */
export async function searchMinutes(
	client: FeishuClient,
	body: IDataObject,
	limit: number,
	itemIndex: number,
): Promise<IDataObject[]> {
	const found: IDataObject[] = [];
	let pageToken: string | undefined;
	do {
		const page = await client.request<SearchPage>(
			ENDPOINTS.search,
			{
				path: `${MINUTES_API}/search`,
				qs: { page_size: Math.min(SEARCH_PAGE_SIZE, limit - found.length), ...(pageToken ? { page_token: pageToken } : {}) },
				body,
			},
			itemIndex,
		);
		found.push(...(page.items ?? []));
		pageToken = page.has_more ? page.page_token : undefined;
	} while (pageToken && found.length < limit);
	return found.slice(0, limit);
}
