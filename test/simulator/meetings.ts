/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Feishu's video-meeting (VC) endpoints: a meeting's recording and details, meeting search and meetings
 * by number, with the limits contract.ts names; the calendar endpoints are in calendar.ts.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { Caller, Reply } from './accounts';
import { DEFAULT_MEETING_START, DEFAULT_USER_OPEN_ID, MEETING_HISTORY_MS, PLATFORM_ERRORS, type Rule, SEARCH_WINDOW_MS, VC_ERRORS } from './contract';
import { sendJson } from './http';
import type { SimulatedMeeting } from './types';

/** An answer whose body is already JSON text (numbers JSON.stringify could not write). */
export interface TextReply {
	status: number;
	text: string;
}

/** What an admitted request brings to its endpoint. */
export interface MeetingRequest {
	caller: Caller;
	/** The path's parameter (meeting or calendar ID), decoded. */
	param: string;
	query: URLSearchParams;
	body: string;
	meetings: ReadonlyMap<string, SimulatedMeeting>;
	enforces: (rule: Rule) => boolean;
}

/** A VC or calendar endpoint: its name in ENDPOINT_SCOPES / ENDPOINT_BUDGETS and its answer. */
export interface MeetingRoute {
	endpoint: string;
	answer: (request: MeetingRequest) => Reply | TextReply;
}

/** A meeting with every default filled in. */
export type MeetingFacts = Required<Omit<SimulatedMeeting, 'endTime' | 'recording' | 'calendarEventId'>> &
	Pick<SimulatedMeeting, 'endTime' | 'recording' | 'calendarEventId'> & { ended: boolean };

export function meetingFacts(meeting: SimulatedMeeting, now = Date.now()): MeetingFacts {
	const ownerId = meeting.ownerId ?? DEFAULT_USER_OPEN_ID;
	return {
		...meeting,
		number: meeting.number ?? meeting.id.slice(-9).padStart(9, '0'),
		topic: meeting.topic ?? `Meeting ${meeting.id}`,
		startTime: meeting.startTime ?? DEFAULT_MEETING_START,
		ownerId,
		organizerId: meeting.organizerId ?? ownerId,
		participantIds: meeting.participantIds ?? [ownerId],
		ended: meeting.endTime !== undefined && meeting.endTime <= now,
	};
}

export const unixSeconds = (ms: number) => String(Math.floor(ms / 1000));
export const meetingUrl = (facts: MeetingFacts) => `https://vc.feishu.cn/j/${facts.number}`;

export function vcError(code: number, detail?: string): Reply {
	const { status, msg } = VC_ERRORS[code];
	return { status, body: { code, msg: detail ? `${msg}: ${detail}` : msg } };
}

/** Endpoints that refuse tenant tokens answer as the Minutes subscription does. */
export function userOnly(caller: Caller): Reply | undefined {
	const { code, msg, status } = PLATFORM_ERRORS.tenantTokenInvalid;
	return caller.kind === 'user' ? undefined : { status, body: { code, msg } };
}

export function sendAnswer(res: ServerResponse, answer: Reply | TextReply): void {
	if (!('text' in answer)) return sendJson(res, answer.status, answer.body);
	res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(answer.text);
}

const success = (data: Record<string, unknown>): Reply => ({ status: 200, body: { code: 0, msg: 'success', data } });
const tookPart = (facts: MeetingFacts, openId?: string) => facts.organizerId === openId || facts.participantIds.includes(openId ?? '');
/** An order unrelated to time, so callers cannot rely on one. */
const scrambled = (id: string) => createHash('sha1').update(id).digest('hex');
const bodyHash = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 8);

const ROUTES: Array<{ method: string; path: RegExp } & MeetingRoute> = [
	{ method: 'GET', path: /^\/open-apis\/vc\/v1\/meetings\/(list_by_no)$/, endpoint: 'meetingsByNumber', answer: listByNumber },
	{ method: 'POST', path: /^\/open-apis\/vc\/v1\/meetings\/(search)$/, endpoint: 'meetingSearch', answer: search },
	{ method: 'GET', path: /^\/open-apis\/vc\/v1\/meetings\/([^/]*)\/recording$/, endpoint: 'recording', answer: recording },
	{ method: 'GET', path: /^\/open-apis\/vc\/v1\/meetings\/([^/]*)$/, endpoint: 'meeting', answer: detail },
];

/** Which of `routes` `method route` is, with the path's parameter; undefined for other paths. */
export function findRoute(
	routes: Array<{ method: string; path: RegExp } & MeetingRoute>,
	method: string,
	route: string,
): (MeetingRoute & { param: string }) | undefined {
	for (const candidate of routes) {
		const match = method === candidate.method ? candidate.path.exec(route) : null;
		if (match) return { endpoint: candidate.endpoint, answer: candidate.answer, param: decoded(match[1] ?? '') };
	}
	return undefined;
}

function decoded(part: string): string {
	try {
		return decodeURIComponent(part);
	} catch {
		return part;
	}
}

/** Which VC endpoint `method route` is; undefined for other paths. */
export const meetingRoute = (method: string, route: string) => findRoute(ROUTES, method, route);

/** The checks the recording and detail endpoints share: the ID's form, the meeting, its owner. */
function findMeeting({ caller, param, meetings, enforces }: MeetingRequest): MeetingFacts | Reply {
	if (!/^\d{15,20}$/.test(param)) return vcError(121003, 'meeting_id must be a meeting ID of 15 to 20 digits');
	const meeting = meetings.get(param);
	if (!meeting) return vcError(122002);
	const facts = meetingFacts(meeting);
	if (caller.kind === 'user' && enforces('meetingOwnerOnly') && facts.ownerId !== caller.openId) return vcError(121005);
	return facts;
}

/** `GET /open-apis/vc/v1/meetings/:meeting_id/recording`: after the meeting ended and the recording is ready. */
function recording(request: MeetingRequest): Reply {
	const facts = findMeeting(request);
	if ('status' in facts) return facts;
	const meeting = request.meetings.get(facts.id)!;
	if (!facts.ended || !meeting.recording) return vcError(121004);
	if (meeting.recording.readyAfterPolls) {
		meeting.recording.readyAfterPolls--;
		return vcError(124002);
	}
	const { minuteToken, durationMs } = meeting.recording;
	return success({
		recording: { id: `rec_${facts.id}`, meeting_id: facts.id, url: `https://meetings.feishu.cn/minutes/${minuteToken}`, duration: String(durationMs ?? 1800000) },
	});
}

/** `GET /open-apis/vc/v1/meetings/:meeting_id`: meetings of the last 90 days. */
function detail(request: MeetingRequest): Reply {
	const facts = findMeeting(request);
	if ('status' in facts) return facts;
	if (Date.now() - facts.startTime > MEETING_HISTORY_MS) return vcError(121004, 'only meetings of the last 90 days');
	return success({
		meeting: {
			id: facts.id,
			topic: facts.topic,
			url: meetingUrl(facts),
			meeting_no: facts.number,
			start_time: unixSeconds(facts.startTime),
			end_time: facts.ended ? unixSeconds(facts.endTime!) : '0',
			host_user: { id: facts.organizerId, user_type: 1 },
			participant_count: String(facts.participantIds.length),
			status: facts.ended ? 3 : 2,
		},
	});
}

interface SearchBody {
	query?: unknown;
	meeting_filter?: {
		start_time?: { start_time?: unknown; end_time?: unknown };
		organizer_ids?: unknown;
		participant_ids?: unknown;
		open_room_ids?: unknown;
	};
}

/** RFC 3339 with a zone, as Feishu's pages ask ("2026-03-10T00:00:00+08:00"). */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isIdList = (value: unknown): value is string[] => Array.isArray(value) && value.every((id) => typeof id === 'string');

/** What an offset-based page token looks like: bound to the request it continues. */
function pageOffset(token: string | null, prefix: string, binding: string): number | undefined {
	if (token === null) return 0;
	const match = new RegExp(`^${prefix}_(\\d+)_([0-9a-f]{8})$`).exec(token);
	return match && match[2] === bodyHash(binding) ? Number(match[1]) : undefined;
}

/** `POST /open-apis/vc/v1/meetings/search` (user tokens): ended meetings the caller organized or took part in. */
function search({ caller, query, body: rawBody, meetings, enforces }: MeetingRequest): Reply {
	const refused = userOnly(caller);
	if (refused) return refused;
	const pageSize = Number(query.get('page_size') ?? 15);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 30) return vcError(121003, 'page_size must be 1 to 30');
	const offset = pageOffset(query.get('page_token'), 'mst', rawBody);
	if (offset === undefined) return vcError(121003, 'page_token is invalid');
	let body: SearchBody;
	try {
		body = JSON.parse(rawBody || '{}') as SearchBody;
	} catch {
		return vcError(121003, 'body is not JSON');
	}
	const keyword = body.query;
	if (keyword !== undefined && (typeof keyword !== 'string' || keyword.length === 0 || [...keyword].length > 50)) {
		return vcError(121003, 'query must be 1 to 50 characters');
	}
	const filter = body.meeting_filter ?? {};
	const lists = { organizer_ids: filter.organizer_ids ?? [], participant_ids: filter.participant_ids ?? [], open_room_ids: filter.open_room_ids ?? [] };
	for (const [name, list] of Object.entries(lists)) {
		if (!isIdList(list) || list.length > 128) return vcError(121003, `meeting_filter.${name} must be a list of at most 128 IDs`);
	}
	const window = filter.start_time;
	for (const time of [window?.start_time, window?.end_time]) {
		if (time !== undefined && (typeof time !== 'string' || !ZONED_TIME.test(time))) return vcError(121003, 'start_time needs RFC 3339 with a time zone');
	}
	const start = typeof window?.start_time === 'string' ? Date.parse(window.start_time) : -Infinity;
	const end = typeof window?.end_time === 'string' ? Date.parse(window.end_time) : Infinity;
	if (start > end) return vcError(121003, 'start_time is after end_time');
	const [organizers, participants, rooms] = Object.values(lists) as string[][];
	if (enforces('meetingSearchFilter')) {
		const windowed = window?.start_time !== undefined || window?.end_time !== undefined;
		if (keyword === undefined && !windowed && !organizers.length && !participants.length && !rooms.length) {
			return vcError(121003, 'give a query or a meeting_filter');
		}
		// an open end runs to now
		if (windowed && Math.min(end, Date.now()) - start > SEARCH_WINDOW_MS) return vcError(121003, 'start_time spans more than 31 days');
	}

	const matching = [...meetings.values()]
		.map((meeting) => meetingFacts(meeting))
		.filter((facts) => facts.ended && tookPart(facts, caller.openId))
		.filter((facts) => typeof keyword !== 'string' || facts.topic.toLowerCase().includes(keyword.toLowerCase()))
		.filter((facts) => facts.startTime >= start && facts.startTime <= end)
		.filter((facts) => !organizers.length || organizers.includes(facts.organizerId))
		.filter((facts) => !participants.length || facts.participantIds.some((id) => participants.includes(id)))
		// the simulator's meetings have no rooms
		.filter(() => !rooms.length)
		.sort((a, b) => b.startTime - a.startTime);
	const reachable = enforces('meetingSearchCap') ? matching.slice(0, 150) : matching;
	const page = reachable.slice(offset, offset + pageSize);
	const hasMore = offset + pageSize < reachable.length;
	return success({
		items: page.map((facts) => ({
			id: facts.id,
			display_info: typeof keyword === 'string' ? highlighted(facts.topic, keyword) : facts.topic,
			meta_data: { app_link: meetingUrl(facts), description: description(facts), avatar: '' },
		})),
		total: matching.length,
		has_more: hasMore,
		...(hasMore ? { page_token: `mst_${offset + pageSize}_${bodyHash(rawBody)}` } : {}),
	});
}

/** The topic with each match of the query wrapped in <h></h>, as Feishu's search highlights. */
function highlighted(topic: string, keyword: string): string {
	return topic.replace(new RegExp(keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), (match) => `<h>${match}</h>`);
}

/** '2024-11-24 09:00 - 09:30 | 3 participants', in China's time zone as Feishu writes it. */
function description(facts: MeetingFacts): string {
	const local = (ms: number) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
	const [from, to] = [local(facts.startTime), local(facts.endTime ?? facts.startTime)];
	const count = facts.participantIds.length;
	return `${from} - ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} | ${count} participant${count === 1 ? '' : 's'}`;
}

/** `GET /open-apis/vc/v1/meetings/list_by_no`: meetings with a number that started within a window of the last 90 days. */
function listByNumber({ caller, query, meetings }: MeetingRequest): Reply {
	const number = query.get('meeting_no') ?? '';
	if (!/^\d{9}$/.test(number)) return vcError(121003, 'meeting_no must be 9 digits');
	const [start, end] = [query.get('start_time') ?? '', query.get('end_time') ?? ''];
	if (!/^\d{1,12}$/.test(start) || !/^\d{1,12}$/.test(end)) return vcError(121003, 'start_time and end_time are required, in unix seconds');
	if (Number(start) >= Number(end)) return vcError(121003, 'start_time must be before end_time');
	if (Number(start) * 1000 < Date.now() - MEETING_HISTORY_MS) return vcError(121003, 'start_time must be within the last 90 days');
	const pageSize = Number(query.get('page_size') ?? 20);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) return vcError(121003, 'page_size must be 1 to 50');
	const offset = pageOffset(query.get('page_token'), 'lbn', `${number} ${start} ${end}`);
	if (offset === undefined) return vcError(121003, 'page_token is invalid');

	const matching = [...meetings.values()]
		.map((meeting) => meetingFacts(meeting))
		.filter((facts) => facts.number === number && facts.startTime >= Number(start) * 1000 && facts.startTime <= Number(end) * 1000)
		.filter((facts) => caller.kind === 'app' || tookPart(facts, caller.openId))
		.sort((a, b) => scrambled(a.id).localeCompare(scrambled(b.id)));
	const page = matching.slice(offset, offset + pageSize);
	const hasMore = offset + pageSize < matching.length;
	return success({
		meeting_briefs: page.map((facts) => ({ id: facts.id, topic: facts.topic, url: meetingUrl(facts), meeting_no: facts.number })),
		has_more: hasMore,
		...(hasMore ? { page_token: `lbn_${offset + pageSize}_${bodyHash(`${number} ${start} ${end}`)}` } : {}),
	});
}
