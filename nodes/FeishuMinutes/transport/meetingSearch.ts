import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FeishuClient } from './client';
import { ENDPOINTS, rfc3339, SEARCH_WINDOW_MS } from './endpoints';

/** What to look for: a keyword, a start-time window (ms since epoch) and people (open_ids). */
export interface MeetingSearchQuery {
	keyword?: string;
	from: number;
	to: number;
	organizerIds: string[];
	participantIds: string[];
}

interface MeetingSearchPage {
	items?: IDataObject[];
	total?: number;
	has_more?: boolean;
	page_token?: string;
}

/** Feishu's page size limit for meeting search. */
const PAGE_SIZE = 30;

/** Feishu returns at most this many results for one search, whatever `total` says. */
export const MEETING_SEARCH_CAP = 150;

/** A window that still hits the cap is halved, down to this span. */
const SHORTEST_WINDOW_MS = 3600 * 1000;

/** Requests one search may make before it is refused as too broad. */
const MAX_REQUESTS = 200;

/**
 * Ended meetings the user organized or joined, started in the window, at most `limit`. Windows longer
 * than Feishu's month are searched a month at a time, newest first; a window whose matches reach Feishu's
 * cap of 150 is searched again in halves, so none is silently left out. Bounded in requests.
 */
export async function searchMeetings(client: FeishuClient, query: MeetingSearchQuery, limit: number, itemIndex: number): Promise<IDataObject[]> {
	const found = new Map<string, IDataObject>();
	const budget = { requests: 0 };
	const windows: Array<[number, number]> = [];
	for (let to = query.to; to > query.from; to -= SEARCH_WINDOW_MS) windows.push([Math.max(query.from, to - SEARCH_WINDOW_MS), to]);
	while (windows.length > 0 && found.size < limit) {
		const [from, to] = windows.shift()!;
		const page = await searchWindow(client, query, from, to, limit - found.size, budget, itemIndex);
		if (page.capped && to - from > SHORTEST_WINDOW_MS) {
			const middle = Math.floor((from + to) / 2);
			windows.unshift([middle, to], [from, middle]);
			continue;
		}
		for (const item of page.items) if (!found.has(String(item.id))) found.set(String(item.id), item);
	}
	return [...found.values()].slice(0, limit);
}

/** One window, paged: its items, and whether Feishu's cap hid some of them. */
async function searchWindow(
	client: FeishuClient,
	query: MeetingSearchQuery,
	from: number,
	to: number,
	wanted: number,
	budget: { requests: number },
	itemIndex: number,
): Promise<{ items: IDataObject[]; capped: boolean }> {
	const filter: IDataObject = { start_time: { start_time: rfc3339(from), end_time: rfc3339(to) } };
	if (query.organizerIds.length) filter.organizer_ids = query.organizerIds;
	if (query.participantIds.length) filter.participant_ids = query.participantIds;
	const body: IDataObject = { ...(query.keyword ? { query: query.keyword } : {}), meeting_filter: filter };
	const items = new Map<string, IDataObject>();
	const pageTokens = new Set<string>();
	let total = 0;
	let pageToken: string | undefined;
	do {
		if (++budget.requests > MAX_REQUESTS) throw tooBroad(client, itemIndex);
		const page = await client.request<MeetingSearchPage>(
			ENDPOINTS.meetingSearch,
			{ path: '/open-apis/vc/v1/meetings/search', qs: { page_size: PAGE_SIZE, ...(pageToken ? { page_token: pageToken } : {}) }, body },
			itemIndex,
		);
		total = typeof page.total === 'number' ? page.total : total;
		const before = items.size;
		for (const item of page.items ?? []) if (typeof item.id === 'string' && !items.has(item.id)) items.set(item.id, item);
		const next = page.has_more && typeof page.page_token === 'string' ? page.page_token : undefined;
		pageToken = next && !pageTokens.has(next) && items.size > before ? next : undefined;
		if (pageToken) pageTokens.add(pageToken);
	} while (pageToken && items.size < wanted);
	// the whole window was read and Feishu stopped at its cap: unless its total says that was all, more matched
	const capped = !pageToken && items.size >= MEETING_SEARCH_CAP && !(total > 0 && total <= items.size);
	return { items: [...items.values()], capped };
}

function tooBroad(client: FeishuClient, itemIndex: number): NodeOperationError {
	return new NodeOperationError(client.node, `The meeting search needed more than ${MAX_REQUESTS} requests`, {
		itemIndex,
		description: 'Narrow it with a keyword, organizers, participants or a shorter Started After / Started Before window.',
	});
}
