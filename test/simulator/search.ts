/** `POST /open-apis/minutes/v1/minutes/search`, with the limits contract.ts names. */
import { createHash } from 'node:crypto';

import type { Reply } from './accounts';
import { DEFAULT_CREATE_TIME, MEDIA_ERRORS, type Rule, SEARCH_WINDOW_MS } from './contract';
import type { SimulatedMinute } from './types';

interface SearchBody {
	query?: string;
	filter?: { owner_ids?: string[]; participant_ids?: string[]; create_time?: { start_time?: string; end_time?: string } };
	sorter?: string;
}

/** RFC 3339 with a zone, as Feishu's page asks ("2026-03-21T16:15:30+08:00"). */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function refusal(reason: string): Reply {
	return { status: 400, body: { code: 2091001, msg: `${MEDIA_ERRORS[2091001].msg}: ${reason}` } };
}

export function searchAnswer(minutes: SimulatedMinute[], query: URLSearchParams, rawBody: string, enforces: (rule: Rule) => boolean): Reply {
	let body: SearchBody;
	try {
		body = JSON.parse(rawBody || '{}') as SearchBody;
	} catch {
		return refusal('body is not JSON');
	}
	const pageSize = Number(query.get('page_size') ?? 15);
	if (!Number.isInteger(pageSize) || pageSize < 1 || (enforces('searchPageSize') && pageSize > 30)) {
		return refusal('page_size must be 1 to 30');
	}
	const window = body.filter?.create_time;
	for (const time of [window?.start_time, window?.end_time]) {
		if (time !== undefined && !ZONED_TIME.test(time)) return refusal('create_time needs RFC 3339 with a time zone');
	}
	const start = window?.start_time ? Date.parse(window.start_time) : -Infinity;
	const end = window?.end_time ? Date.parse(window.end_time) : Infinity;
	if (enforces('searchWindow')) {
		const filtered = Boolean(body.query) || Boolean(window) || Boolean(body.filter?.owner_ids?.length || body.filter?.participant_ids?.length);
		if (!filtered) return refusal('give a query or a filter');
		// an open end runs to now
		if (window && Math.min(end, Date.now()) - start > SEARCH_WINDOW_MS) return refusal('create_time spans more than one month');
	}
	const offset = query.get('page_token') === null ? 0 : Number(/^pt_(\d+)$/.exec(query.get('page_token')!)?.[1] ?? Number.NaN);
	if (!Number.isInteger(offset)) return refusal('page_token is invalid');

	const createdAt = (minute: SimulatedMinute) => minute.createTime ?? DEFAULT_CREATE_TIME;
	const matching = minutes
		.filter((minute) => !minute.mediaError)
		.filter((minute) => !body.query || (minute.title ?? '').includes(body.query))
		.filter((minute) => createdAt(minute) >= start && createdAt(minute) <= end)
		// "relevance" unless asked for newest first: an order unrelated to time
		.sort(body.sorter === 'create_time_desc' ? (a, b) => createdAt(b) - createdAt(a) : (a, b) => relevance(a).localeCompare(relevance(b)));
	const page = matching.slice(offset, offset + pageSize);
	const hasMore = offset + pageSize < matching.length;
	return {
		status: 200,
		body: {
			code: 0,
			msg: 'success',
			data: {
				items: page.map((minute) => ({
					token: minute.token,
					display_info: minute.title ?? minute.token,
					meta_data: { app_link: `https://sample.feishu.cn/minutes/${minute.token}`, description: '', avatar: '' },
				})),
				total: matching.length,
				has_more: hasMore,
				...(hasMore ? { page_token: `pt_${offset + pageSize}` } : {}),
			},
		},
	};
}

function relevance(minute: SimulatedMinute): string {
	return createHash('sha1').update(minute.token).digest('hex');
}
