import type { IDataObject, INodeExecutionData, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CLIENT_OPTIONS } from '../actions/options';
import { FeishuClient } from '../transport/client';
import { ENDPOINTS, getMedia, getMinute, searchMinutes } from '../transport/endpoints';
import { NOT_READY_CODE } from '../transport/errors';

/** The endpoints a poll calls: their scopes are part of what the OAuth2 credential asks for. */
export const POLL_ENDPOINTS = [ENDPOINTS.search, ENDPOINTS.minute, ENDPOINTS.media];

/** Minutes can show up in search a little after they are created: each poll looks back this far. */
const LOOK_BACK_MS = 10 * 60 * 1000;

/** "Fetch Test Event" in the editor looks this far back for the newest minute. */
const MANUAL_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** What the trigger remembers between polls (n8n keeps it in the workflow's static data). */
interface PollState {
	/** Minutes created from here on count (activation time, or the chosen start time). */
	startedAt?: string;
	/** Where the next search starts (less the look-back). */
	since?: string;
	/** Emitted minutes still inside the look-back window, with their create time, so none is emitted twice. */
	seen?: Record<string, number>;
	/** Found but still being transcribed: checked again on the next poll. */
	pending?: string[];
}

/** One poll: the minutes created since the last one, each once, oldest first. */
export async function pollNewMinutes(context: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const state = context.getWorkflowStaticData('node') as PollState;
	const manual = context.getMode() === 'manual';
	const pollStartedAt = Date.now();
	if (!state.since && !manual) {
		state.startedAt = startTime(context) ?? new Date(pollStartedAt).toISOString();
		state.since = state.startedAt;
		state.seen = {};
		state.pending = [];
	}
	// In the editor ("Fetch test event"): the newest minute of the last week, remembering nothing.
	const since = manual ? pollStartedAt - MANUAL_WINDOW_MS : Date.parse(state.since!);
	const startedAt = manual ? since : Date.parse(state.startedAt ?? state.since!);

	const client = await FeishuClient.create(context, 'user', DEFAULT_CLIENT_OPTIONS);
	const keyword = String(context.getNodeParameter('keyword')).trim();
	const found = await searchMinutes(
		client,
		{
			...(keyword ? { query: keyword } : {}),
			filter: { create_time: { start_time: new Date(since - LOOK_BACK_MS).toISOString() } },
		},
		manual ? 30 : Infinity,
		0,
	);

	const seen = manual ? {} : (state.seen ?? {});
	const candidates = [...new Set([...(manual ? [] : (state.pending ?? [])), ...found.map((item) => String(item.token))])]
		.filter((token) => token && !(token in seen));
	const waitUntilReady = context.getNodeParameter('waitUntilReady') as boolean;

	const emitted: IDataObject[] = [];
	const pending: string[] = [];
	for (const token of candidates) {
		const minute = await getMinute(client, token, 0);
		const createdAt = Number(minute.create_time);
		// the search looks back a little: anything created before the start was there before
		if (Number.isFinite(createdAt) && createdAt < startedAt) {
			seen[token] = createdAt;
			continue;
		}
		if (waitUntilReady && !(await mediaReady(client, token))) {
			pending.push(token);
			continue;
		}
		emitted.push({ minuteToken: token, ...minute });
		if (manual) break;
	}
	emitted.sort((a, b) => Number(a.create_time) - Number(b.create_time));

	if (!manual) {
		for (const minute of emitted) seen[String(minute.minuteToken)] = Number(minute.create_time) || pollStartedAt;
		const nextSince = Math.max(since, pollStartedAt);
		// forget what the next look-back can no longer find
		state.seen = Object.fromEntries(
			Object.entries(seen).filter(([, createdAt]) => createdAt >= nextSince - 2 * LOOK_BACK_MS),
		);
		state.pending = pending;
		state.since = new Date(nextSince).toISOString();
	}
	return emitted.length ? [context.helpers.returnJsonArray(emitted)] : null;
}

function startTime(context: IPollFunctions): string | undefined {
	if (context.getNodeParameter('startFrom') !== 'date') return undefined;
	const value = context.getNodeParameter('startTime') as string;
	const time = Date.parse(value);
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), 'The "Start Time" field is not a date', {
			description: 'Pick the date and time from which minutes count as new, or set Start From to Now.',
		});
	}
	return new Date(time).toISOString();
}

/** Whether the recording can be downloaded yet; 2091003 means Feishu is still transcribing. */
async function mediaReady(client: FeishuClient, token: string): Promise<boolean> {
	try {
		await getMedia(client, token, 0);
		return true;
	} catch (error) {
		if (error instanceof NodeApiError && error.context.feishuCode === NOT_READY_CODE) return false;
		throw new NodeApiError(client.node, error as JsonObject);
	}
}
