/**
 * Feishu's calendar endpoints that lead from a calendar event to its meetings, as Lark's CLI uses them
 * (user tokens): the caller's primary calendar, and an event instance's meeting IDs.
 */
import type { Reply } from './accounts';
import { CALENDAR_ERRORS } from './contract';
import { findRoute, type MeetingRequest, type MeetingRoute, type TextReply, userOnly } from './meetings';

/** The caller's primary calendar ID. */
export const primaryCalendarId = (openId: string) => `${openId}@simulated.calendar.feishu.cn`;

function calendarError(code: number, detail: string): Reply {
	const { status, msg } = CALENDAR_ERRORS[code];
	return { status, body: { code, msg: `${msg}: ${detail}` } };
}

const ROUTES: Array<{ method: string; path: RegExp } & MeetingRoute> = [
	{ method: 'POST', path: /^\/open-apis\/calendar\/v4\/calendars\/primary$/, endpoint: 'primaryCalendar', answer: primary },
	{
		method: 'POST',
		path: /^\/open-apis\/calendar\/v4\/calendars\/([^/]*)\/events\/mget_instance_relation_info$/,
		endpoint: 'calendarRelations',
		answer: relations,
	},
];

/** Which calendar endpoint `method route` is; undefined for other paths. */
export const calendarRoute = (method: string, route: string) => findRoute(ROUTES, method, route);

/** `POST /open-apis/calendar/v4/calendars/primary`. */
function primary({ caller }: MeetingRequest): Reply {
	const refused = userOnly(caller);
	if (refused) return refused;
	const openId = caller.openId!;
	const calendar = { calendar_id: primaryCalendarId(openId), summary: 'Primary', type: 'primary', role: 'owner' };
	return { status: 200, body: { code: 0, msg: 'success', data: { calendars: [{ calendar, user_id: openId }] } } };
}

/**
 * `POST /open-apis/calendar/v4/calendars/:calendar_id/events/mget_instance_relation_info` (undocumented; Lark's CLI):
 * the meeting IDs come as JSON numbers beyond 2^53, written verbatim, so a client that parses them as numbers
 * loses their last digits.
 */
function relations({ caller, param, body: rawBody, meetings }: MeetingRequest): Reply | TextReply {
	const refused = userOnly(caller);
	if (refused) return refused;
	if (param !== primaryCalendarId(caller.openId!)) return calendarError(191001, 'give the calendar_id of your primary calendar');
	let body: { instance_ids?: unknown; need_meeting_instance_ids?: unknown };
	try {
		body = JSON.parse(rawBody || '{}') as typeof body;
	} catch {
		return calendarError(99992402, 'body is not JSON');
	}
	const ids = body.instance_ids;
	if (!Array.isArray(ids) || ids.length < 1 || ids.length > 50 || !ids.every((id) => typeof id === 'string' && id !== '')) {
		return calendarError(99992402, 'instance_ids must be a list of 1 to 50 event instance IDs');
	}
	const need = body.need_meeting_instance_ids;
	if (need !== undefined && typeof need !== 'boolean') return calendarError(99992402, 'need_meeting_instance_ids must be a boolean');
	const entries = (ids as string[]).map((instanceId) => {
		const meetingIds = [...meetings.values()].filter((meeting) => meeting.calendarEventId === instanceId).map((meeting) => meeting.id);
		// digits unquoted, as Feishu sends them
		const written = meetingIds.map((id) => (/^\d+$/.test(id) ? id : JSON.stringify(id)));
		return `{"instance_id":${JSON.stringify(instanceId)}${need ? `,"meeting_instance_ids":[${written.join(',')}]` : ''}}`;
	});
	return { status: 200, text: `{"code":0,"msg":"success","data":{"instance_relation_infos":[${entries.join(',')}]}}` };
}
