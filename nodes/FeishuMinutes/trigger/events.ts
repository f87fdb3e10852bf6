import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DEFAULT_CLIENT_OPTIONS } from '../actions/options';
import { readDelivery } from '../helpers/events';
import { FeishuClient } from '../transport/client';
import { ENDPOINTS, getMinute, getMedia } from '../transport/endpoints';

/** The endpoints an event delivery may call: their scopes are part of what the OAuth2 credential asks for. */
export const EVENT_ENDPOINTS = [ENDPOINTS.subscription, ENDPOINTS.minute, ENDPOINTS.media];

/** Event IDs are remembered this long (Feishu redelivers for about 7 hours)… */
const SEEN_FOR_MS = 24 * 3600 * 1000;

/** …and at most this many. */
const MAX_SEEN = 2000;

/** Deliveries being handled in this process right now: a copy arriving meanwhile is dropped. */
const inFlight = new Set<string>();

const WAIT = { timeoutMs: 30 * 60 * 1000, pollIntervalMs: 30 * 1000 };

/**
 * One delivery to the Request URL. The answer is written here, never by n8n: a challenge is
 * answered at once, a delivery that cannot be trusted gets 400 / 401 / 403 and starts nothing, an
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

	const wanted = context.getNodeParameter('events', []) as string[];
	const state = context.getWorkflowStaticData('node');
	const now = Date.now();
	const seen = Object.entries((state.events ?? {}) as Record<string, number>)
		.filter(([, at]) => now - at < SEEN_FOR_MS)
		.sort(([, a], [, b]) => b - a)
		.slice(0, MAX_SEEN - 1);
	const known = seen.some(([id]) => id === delivery.eventId) || inFlight.has(delivery.eventId);
	response.status(200).json({});
	if (known || !wanted.includes(delivery.eventType)) return { noWebhookResponse: true };

	inFlight.add(delivery.eventId);
	try {
		// a new object: n8n saves static data only when a top-level key is reassigned
		state.events = Object.fromEntries([...seen, [delivery.eventId, now]]);
		const item = await eventItem(context, delivery.eventId, delivery.eventType, delivery.createTime, delivery.event);
		return { noWebhookResponse: true, workflowData: [context.helpers.returnJsonArray([item])] };
	} finally {
		inFlight.delete(delivery.eventId);
	}
}

/** The item a workflow starts with: the event's facts, and the minute's details when asked. */
async function eventItem(
	context: IWebhookFunctions,
	eventId: string,
	eventType: string,
	createTime: string | undefined,
	event: Record<string, unknown>,
): Promise<IDataObject> {
	const item: IDataObject = { eventId, eventType, eventTime: createTime, ...(event as IDataObject) };
	const minuteToken = typeof event.minute_token === 'string' ? event.minute_token : undefined;
	if (minuteToken === undefined) return item;
	item.minuteToken = minuteToken;
	const includeDetails = context.getNodeParameter('includeDetails', true) as boolean;
	const waitUntilReady = context.getNodeParameter('waitUntilReady', false) as boolean;
	if (!includeDetails && !waitUntilReady) return item;
	// the answer is already sent: a failure here is told in the item, not as an error page to Feishu
	try {
		const client = await FeishuClient.create(context, 'user', DEFAULT_CLIENT_OPTIONS);
		if (waitUntilReady) await getMedia(client, minuteToken, 0, WAIT);
		if (includeDetails) Object.assign(item, await getMinute(client, minuteToken, 0));
	} catch (error) {
		item.detailsError = (error as Error).message;
	}
	return item;
}
