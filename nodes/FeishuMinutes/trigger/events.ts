import type { IDataObject, ITriggerFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DEFAULT_CLIENT_OPTIONS } from '../actions/options';
import { type Delivery, EVENT_MAX_AGE_MS, readDelivery } from '../helpers/events';
import { FeishuClient } from '../transport/client';
import { ENDPOINTS, getMinute, getMedia } from '../transport/endpoints';
import { getRecording } from '../transport/meetings';
import { awaitRecording, MEETING_ENDED, meetingFacts, RECORDING_WAIT } from './meetingEnded';

/** An event read and trusted, from either way in. */
export type EventDelivery = Extract<Delivery, { kind: 'event' }>;

/** The endpoints an event delivery may call: their scopes are part of what the OAuth2 credential asks for. */
export const EVENT_ENDPOINTS = [ENDPOINTS.subscription, ENDPOINTS.minute, ENDPOINTS.media, ENDPOINTS.recording];

/**
 * Event IDs are remembered this long: three times the age of the oldest event readDelivery accepts, so
 * every copy of an accepted event is known, even after the clock is stepped back…
 */
const SEEN_FOR_MS = 3 * EVENT_MAX_AGE_MS;

/** …and at most this many: when more must go, the newest create_time among them becomes a floor, and older events count as seen. */
const MAX_SEEN = 2000;

/**
 * What this process has accepted, per mode, workflow and node. n8n loads static data per request and saves
 * it whole (last writer wins), so a record saved by one request can be overwritten by another that ran
 * alongside: this memory still knows it (no second run here), and this process's next save writes it again.
 * Across processes nothing atomic is reachable from webhook(): copies arriving at once at two processes
 * (queue mode with webhook processes) may both start.
 */
const accepted = new Map<string, Map<string, number>>();

/** The key of one trigger's memory: the same node in manual (test URL) and production runs is kept apart. */
function memoryKey(mode: string, workflowId: string | undefined, nodeName: string): string {
	return `${mode}:${workflowId ?? ''}:${nodeName}`;
}

/** Unpublished: this process forgets the trigger's accepted IDs (static data keeps them for a re-publish). */
export function forgetAcceptedEvents(workflowId: string | undefined, nodeName: string): void {
	const suffix = memoryKey('', workflowId, nodeName);
	for (const key of accepted.keys()) if (key.endsWith(suffix)) accepted.delete(key);
}

/** How many triggers this process holds accepted IDs for. */
export function triggersRemembered(): number {
	return accepted.size;
}

const WAIT = { timeoutMs: 30 * 60 * 1000, pollIntervalMs: 30 * 1000 };

/**
 * One delivery to the Request URL. The answer is written here, never by n8n: a challenge is
 * answered at once, a delivery that cannot be trusted gets 400 / 401 / 403 / 413 and starts nothing, an
 * event gets 200 at once (Feishu wants it within 3 s) and, if its ID is new, starts the workflow.
 */
export async function receiveDelivery(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = context.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };
	const response = context.getResponseObject();
	const credentials = await context.getCredentials('feishuOAuth2Api');
	const delivery = readDelivery({
		rawBody: request.rawBody ?? Buffer.from(JSON.stringify(request.body ?? {})),
		headers: request.headers,
		encryptKey: typeof credentials.encryptKey === 'string' && credentials.encryptKey !== '' ? credentials.encryptKey : undefined,
		verificationToken: typeof credentials.verificationToken === 'string' && credentials.verificationToken !== '' ? credentials.verificationToken : undefined,
		now: Date.now(),
	});
	if (delivery.kind === 'refused') {
		context.logger.warn(`Feishu Minutes Event Trigger: refused a delivery: ${delivery.reason}`);
		response.status(delivery.status).json({ error: delivery.reason });
		return { noWebhookResponse: true };
	}
	if (delivery.kind === 'challenge') {
		response.status(200).json({ challenge: delivery.challenge });
		return { noWebhookResponse: true };
	}

	response.status(200).json({});
	const item = await itemForEvent(context, delivery);
	if (!item) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [context.helpers.returnJsonArray([item])] };
}

/** Where events arrive: the Request URL (a webhook) or the app's long connection (a trigger). */
export type EventContext = IWebhookFunctions | ITriggerFunctions;

/**
 * What an accepted event starts the workflow with, or nothing: an event type the node does not listen to,
 * a copy of an event (or meeting) already started, a meeting without a recording the user can read.
 * `signal` ends any wait early (the trigger was closed).
 */
export async function itemForEvent(context: EventContext, delivery: EventDelivery, signal?: AbortSignal): Promise<IDataObject | undefined> {
	const wanted = context.getNodeParameter('events', []) as string[];
	if (!wanted.includes(delivery.eventType) || !claim(context, delivery.eventId, delivery.createdAt)) return undefined;
	const base: IDataObject = { eventId: delivery.eventId, eventType: delivery.eventType, eventTime: delivery.createTime };
	return delivery.eventType === MEETING_ENDED
		? await meetingEndedItem(context, base, delivery.event, delivery.createdAt, signal)
		: await eventItem(context, { ...base, ...(delivery.event as IDataObject) }, delivery.event.minute_token, signal);
}

/**
 * A meeting ended: once per meeting, the workflow starts when its recording is there (waited for, bounded),
 * with the minute it became. A meeting without one the connected user can read starts nothing.
 */
async function meetingEndedItem(
	context: EventContext,
	base: IDataObject,
	event: Record<string, unknown>,
	createdAt: number,
	signal?: AbortSignal,
): Promise<IDataObject | undefined> {
	const meeting = meetingFacts(event);
	if (!meeting) {
		context.logger.warn(`Feishu Minutes Event Trigger: ignored event ${String(base.eventId)}: it names no meeting ID`);
		return undefined;
	}
	const meetingId = String(meeting.meetingId);
	// Feishu may send one meeting's end more than once, under new event IDs
	if (!claim(context, `meeting:${meetingId}`, createdAt)) return undefined;
	const endedAt = typeof meeting.endTime === 'string' ? Date.parse(meeting.endTime) : createdAt;
	try {
		const client = await FeishuClient.create(context, 'user', DEFAULT_CLIENT_OPTIONS);
		const outcome = await awaitRecording(async () => await getRecording(client, meetingId, 0), endedAt, RECORDING_WAIT, Date.now, signal);
		if (outcome.kind === 'none') {
			context.logger.debug(`Feishu Minutes Event Trigger: meeting ${meetingId} ended; nothing to start: ${outcome.reason}`);
			return undefined;
		}
		if (outcome.kind === 'failed') return { ...base, ...meeting, minuteToken: null, detailsError: outcome.error };
		const { minuteToken, url, duration } = outcome.recording;
		return await eventItem(context, { ...base, ...meeting, recordingUrl: url, recordingDuration: duration ?? null }, minuteToken, signal);
	} catch (error) {
		return { ...base, ...meeting, minuteToken: null, detailsError: (error as Error).message };
	}
}

/**
 * Records an event as seen, unless it was (in this process's memory, in static data, or at or below the
 * floor). Synchronous: two deliveries in one process cannot both claim one event.
 */
function claim(context: EventContext, eventId: string, createdAt: number): boolean {
	const state = context.getWorkflowStaticData('node');
	const key = memoryKey(context.getMode(), context.getWorkflow().id, context.getNode().name);
	const memory = accepted.get(key) ?? new Map<string, number>();
	accepted.set(key, memory);
	const stored = (state.events && typeof state.events === 'object' ? state.events : {}) as Record<string, unknown>;
	const floor = typeof state.floor === 'number' ? state.floor : 0;
	if (memory.has(eventId) || typeof stored[eventId] === 'number') return false;
	if (createdAt <= floor) {
		context.logger.warn(`Feishu Minutes Event Trigger: ignored event ${eventId}: it is older than the ${MAX_SEEN} events remembered since`);
		return false;
	}
	const now = Date.now();
	const all = new Map<string, number>();
	for (const [id, at] of [...Object.entries(stored), ...memory, [eventId, createdAt] as const]) {
		if (typeof at === 'number' && now - at < SEEN_FOR_MS) all.set(id, Math.max(at, all.get(id) ?? 0));
	}
	const newestFirst = [...all].sort(([, a], [, b]) => b - a);
	const kept = newestFirst.slice(0, MAX_SEEN);
	memory.clear();
	for (const [id, at] of kept) memory.set(id, at);
	// a new object: n8n saves static data only when a top-level key is reassigned
	state.events = Object.fromEntries(kept);
	if (newestFirst.length > MAX_SEEN) state.floor = Math.max(floor, newestFirst[MAX_SEEN][1]);
	return true;
}

/** The item a workflow starts with: the event's facts, and the minute's details when asked. */
async function eventItem(context: EventContext, facts: IDataObject, minuteTokenValue: unknown, signal?: AbortSignal): Promise<IDataObject> {
	const item: IDataObject = { ...facts };
	const minuteToken = typeof minuteTokenValue === 'string' ? minuteTokenValue : undefined;
	if (minuteToken === undefined) return item;
	item.minuteToken = minuteToken;
	const includeDetails = context.getNodeParameter('includeDetails', true) as boolean;
	const waitUntilReady = context.getNodeParameter('waitUntilReady', false) as boolean;
	if (!includeDetails && !waitUntilReady) return item;
	// the answer is already sent: a failure here is told in the item, not as an error page to Feishu
	try {
		const client = await FeishuClient.create(context, 'user', DEFAULT_CLIENT_OPTIONS);
		if (waitUntilReady) await getMedia(client, minuteToken, 0, { ...WAIT, signal });
		if (includeDetails) Object.assign(item, await getMinute(client, minuteToken, 0));
	} catch (error) {
		item.detailsError = (error as Error).message;
	}
	return item;
}
