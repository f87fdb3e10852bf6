/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** `/__simulator/…`: what scripts and tests in another process (benchmark, real n8n, `npm run dev`) tell the simulator. */
import type { ServerResponse } from 'node:http';

import { DEV_EVENT_SECRETS, MEETING_ENDED_EVENT, meetingEndedEvent, pushEvent } from './events';
import { sendJson } from './http';
import { feishuEvent, type LongConnectionServer, minuteEvent } from './longConnection';
import type { SimulatedMeeting, SimulatedMinute } from './types';

/** What the control routes reach in the simulator. */
export interface Controlled {
	stats(): object;
	revokeTokens(): void;
	addMinute(minute: SimulatedMinute): unknown;
	addMeeting(meeting: SimulatedMeeting): unknown;
	readonly meetings: ReadonlyMap<string, SimulatedMeeting>;
	readonly longConnection: Pick<LongConnectionServer, 'push' | 'drop'>;
}

export function handleControl(simulator: Controlled, method: string, path: string, body: string, res: ServerResponse): void {
	if (method === 'GET' && path === '/__simulator/stats') return sendJson(res, 200, simulator.stats());
	if (method === 'POST' && path === '/__simulator/revoke-tokens') {
		simulator.revokeTokens();
		return sendJson(res, 200, { ok: true });
	}
	if (method === 'POST' && path === '/__simulator/push-event') {
		// `npm run dev`: Feishu pushing "a new minute" (or, with meetingId, "a meeting ended") to a Request URL
		const { url, minuteToken, meetingId } = JSON.parse(body || '{}') as { url?: string; minuteToken?: string; meetingId?: string };
		if (!url) return sendJson(res, 400, { error: 'give {"url": the trigger\'s production URL, "minuteToken": … or "meetingId": …}' });
		const meeting = meetingId === undefined ? undefined : simulator.meetings.get(meetingId);
		if (meetingId !== undefined && !meeting) return sendJson(res, 400, { error: `no meeting ${meetingId}: add it with POST /__simulator/meetings` });
		const event = meeting ? { eventType: MEETING_ENDED_EVENT, event: meetingEndedEvent(meeting) } : { minuteToken };
		void pushEvent(url, { ...DEV_EVENT_SECRETS, ...event, retryDelaysMs: [1000, 5000] }).then((result) => sendJson(res, 200, result));
		return;
	}
	if (method === 'POST' && path === '/__simulator/long-connection/push') {
		// Feishu pushing an event over the long connection: the push result once acked (or given up after one redelivery)
		const { event, minuteToken, meetingId, fragments, messageId } = JSON.parse(body || '{}') as { event?: object; minuteToken?: string; meetingId?: string; fragments?: number; messageId?: string };
		const meeting = meetingId === undefined ? undefined : simulator.meetings.get(meetingId);
		const pushed = event ?? (minuteToken ? minuteEvent(minuteToken) : meeting && feishuEvent(MEETING_ENDED_EVENT, meetingEndedEvent(meeting)));
		if (!pushed) return sendJson(res, 400, { error: 'give {"event": a schema 2.0 body} or {"minuteToken": …} or {"meetingId": an added meeting}' });
		void simulator.longConnection.push(pushed, { fragments, messageId }).then((result) => sendJson(res, 200, result));
		return;
	}
	if (method === 'POST' && path === '/__simulator/long-connection/drop') {
		const { kind = 'close' } = JSON.parse(body || '{}') as { kind?: string };
		if (kind !== 'close' && kind !== 'terminate') return sendJson(res, 400, { error: 'kind is "close" or "terminate"' });
		void simulator.longConnection.drop(kind).then(() => sendJson(res, 200, { ok: true }));
		return;
	}
	if (method === 'POST' && path === '/__simulator/minutes') {
		simulator.addMinute(JSON.parse(body) as SimulatedMinute);
		return sendJson(res, 200, { ok: true });
	}
	if (method === 'POST' && path === '/__simulator/meetings') {
		simulator.addMeeting(JSON.parse(body) as SimulatedMeeting);
		return sendJson(res, 200, { ok: true });
	}
	sendJson(res, 404, { error: 'unknown control path' });
}
