import type { IDataObject, INodeExecutionData, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Authentication } from '../actions/router';
import { DEFAULT_CLIENT_OPTIONS } from '../actions/options';
import { FeishuClient } from '../transport/client';
import { ENDPOINTS, getMedia, getMinute, searchMinutes } from '../transport/endpoints';
import { NOT_READY_CODE } from '../transport/errors';
import { type FailingMinute, readFailing, recordFailure, searchForward } from './recovery';

/** The endpoints a poll calls: their scopes are part of what the OAuth2 credential asks for. */
export const POLL_ENDPOINTS = [ENDPOINTS.search, ENDPOINTS.minute, ENDPOINTS.media];

const MINUTE = 60 * 1000;

/** How far n8n's clock and Feishu's may disagree, either way, with no minute lost or repeated. */
const CLOCK_SKEW_MS = 15 * MINUTE;

/** Each window reaches back past the last poll: for clock skew, and minutes that become searchable late. */
const LOOK_BACK_MS = CLOCK_SKEW_MS + 15 * MINUTE;

/** And ends past now, for a Feishu clock running ahead. */
const LOOK_AHEAD_MS = CLOCK_SKEW_MS + 5 * MINUTE;

/** "Fetch Test Event" in the editor looks this far back for the newest minute. */
const MANUAL_WINDOW_MS = 7 * 24 * 60 * MINUTE;

/** Minutes waiting for their media: at most this many, for at most this long. */
const MAX_PENDING = 100;
const MAX_PENDING_AGE_MS = 24 * 60 * MINUTE;

/** Candidates checked in one poll (each costs two requests); the rest wait for the next poll. */
const MAX_CHECKS_PER_POLL = 300;

/** New minutes one poll's search takes in at least, however many wait or are retried. */
const MIN_ROOM = 30;

/** Checks failing in one poll before it stops checking (Feishu is failing, not the minute); the rest wait. */
const MAX_FAILURES_PER_POLL = 3;

/** What the trigger remembers between polls (n8n keeps it in the workflow's static data). */
interface PollState {
	/** With Start From "A Date": minutes created (Feishu's clock) before this are not emitted. */
	startedAt?: number | string;
	/** The last poll's time (n8n's clock): the next window starts here, less the look-back. */
	since?: number | string;
	/** Minutes emitted (or there at activation), with their create time, so none is emitted twice. */
	seen?: Record<string, number>;
	/** Minutes still being transcribed, with when they were first found; older state kept a list. */
	pending?: Record<string, number> | string[];
	/** Minutes whose check failed for a reason that may pass: attempts so far, and when to try again. */
	failing?: Record<string, FailingMinute>;
	/** While catching up on a backlog: minutes created before this were all searched; the next search starts here. */
	searchedTo?: number;
	/** The width of the next search window: narrowed where minutes are dense, widened where sparse. */
	stepMs?: number;
}

/** One poll: the minutes created since the last one, each once, oldest first. */
export async function pollNewMinutes(context: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const authentication = context.getNodeParameter('authentication', 'userOAuth2') as Authentication;
	const client = await FeishuClient.create(context, authentication === 'tenantToken' ? 'app' : 'user', DEFAULT_CLIENT_OPTIONS);
	const keyword = String(context.getNodeParameter('keyword')).trim();
	const waitUntilReady = context.getNodeParameter('waitUntilReady') as boolean;
	const now = Date.now();

	if (context.getMode() === 'manual') {
		// the newest ready minute of the last week; nothing remembered
		const found = await searchMinutes(client, { keyword, from: now - MANUAL_WINDOW_MS, to: now + LOOK_AHEAD_MS }, 30, 0);
		for (const { token } of found) {
			const minute = await check(context, client, String(token), waitUntilReady);
			if (minute.status === 'ready') return [context.helpers.returnJsonArray([{ minuteToken: token, ...minute.details }])];
		}
		return null;
	}

	const state = context.getWorkflowStaticData('node') as PollState;
	if (state.since === undefined) {
		const startTime = readStartTime(context);
		if (startTime === undefined) {
			// Start From "Now": whatever exists at activation is the baseline, never emitted
			const existing = await searchMinutes(client, { keyword, from: now - LOOK_BACK_MS, to: now + LOOK_AHEAD_MS }, Infinity, 0);
			state.seen = Object.fromEntries(existing.map(({ token }) => [String(token), now]));
			state.pending = {};
			state.since = now;
			return null;
		}
		state.startedAt = startTime;
		state.since = startTime + LOOK_BACK_MS;
	}

	const since = toTime(state.since);
	const startedAt = state.startedAt === undefined ? undefined : toTime(state.startedAt);
	const seen = { ...(state.seen ?? {}) };
	const pending = pendingSince(state.pending, now);
	const failing = readFailing(context, state.failing);
	const waiting = (token: string) => token in failing && failing[token].retryAt > now;
	const known = [...new Set([...Object.keys(pending), ...Object.keys(failing)])].filter((token) => !waiting(token));
	const window = await searchForward(client, keyword, {
		from: state.searchedTo ?? since - LOOK_BACK_MS,
		end: now + LOOK_AHEAD_MS,
		room: Math.max(MIN_ROOM, MAX_CHECKS_PER_POLL - known.length),
		stepMs: state.stepMs,
	});
	// oldest first: pending and retried ones, then the search's hits
	const candidates = [...new Set([...known, ...window.tokens])].filter((token) => !(token in seen) && !waiting(token));

	const emitted: IDataObject[] = [];
	let checked = 0;
	let failures = 0;
	for (const token of candidates) {
		if (checked >= MAX_CHECKS_PER_POLL || failures >= MAX_FAILURES_PER_POLL) break;
		checked++;
		const firstFound = pending[token] ?? failing[token]?.since ?? now;
		let minute: Checked;
		try {
			minute = await check(context, client, token, waitUntilReady, startedAt);
		} catch (error) {
			// this minute waits with back-off; the others go on
			failures++;
			delete pending[token];
			if (!recordFailure(context, failing, token, error, { now, since: firstFound })) seen[token] = now;
			continue;
		}
		delete failing[token];
		if (minute.status === 'pending') {
			pending[token] ??= firstFound;
			continue;
		}
		delete pending[token];
		if (minute.status === 'ready') emitted.push({ minuteToken: token, ...minute.details });
		seen[token] = minute.createdAt ?? now;
	}
	emitted.sort((a, b) => Number(a.create_time) - Number(b.create_time));

	// the mark moves to where the search got, once all it found was checked
	if (checked === candidates.length) {
		if (window.caughtUp) {
			delete state.searchedTo;
			state.since = Math.max(since, now);
		} else state.searchedTo = window.to;
	}
	state.stepMs = window.stepMs;
	state.pending = boundPending(context, pending, now);
	state.failing = failing;
	// forget what the next window can no longer return, whichever way the clocks disagree
	const nextFrom = state.searchedTo ?? toTime(state.since) - LOOK_BACK_MS;
	state.seen = Object.fromEntries(Object.entries(seen).filter(([, createdAt]) => createdAt >= nextFrom - CLOCK_SKEW_MS));
	return emitted.length ? [context.helpers.returnJsonArray(emitted)] : null;
}

type Checked =
	| { status: 'ready'; details: IDataObject; createdAt?: number }
	| { status: 'pending'; createdAt?: number }
	| { status: 'skipped'; createdAt?: number };

/**
 * Whether a minute is to be emitted now, later (still transcribing) or never: created before the
 * start, or gone for good (deleted, not readable). Those are logged and forgotten; failures that may
 * pass (network, rate limit, Feishu's 2091006) are thrown: the poll retries that minute with back-off.
 */
async function check(
	context: IPollFunctions,
	client: FeishuClient,
	token: string,
	waitUntilReady: boolean,
	startedAt?: number,
): Promise<Checked> {
	try {
		const details = await getMinute(client, token, 0);
		const createdAt = Number(details.create_time);
		const known = Number.isFinite(createdAt) ? createdAt : undefined;
		if (startedAt !== undefined && known !== undefined && known < startedAt) return { status: 'skipped', createdAt: known };
		if (waitUntilReady) {
			try {
				await getMedia(client, token, 0);
			} catch (error) {
				if (error instanceof NodeApiError && error.context.feishuCode === NOT_READY_CODE) return { status: 'pending', createdAt: known };
				throw new NodeApiError(context.getNode(), error as JsonObject);
			}
		}
		return { status: 'ready', details, createdAt: known };
	} catch (error) {
		if (!isGoneForGood(error)) {
			throw error instanceof NodeOperationError ? new NodeOperationError(context.getNode(), error) : new NodeApiError(context.getNode(), error as JsonObject);
		}
		context.logger.warn(`Feishu Minutes Trigger: skipping minute ${token}: ${(error as Error).message}`);
		return { status: 'skipped' };
	}
}

/** Feishu's answers that no later poll will change: not found, deleted, not permitted, malformed. */
function isGoneForGood(error: unknown): boolean {
	const code = error instanceof NodeApiError ? error.context.feishuCode : undefined;
	return code === 2091001 || code === 2091002 || code === 2091004 || code === 2091005;
}

function pendingSince(stored: PollState['pending'], now: number): Record<string, number> {
	if (Array.isArray(stored)) return Object.fromEntries(stored.map((token) => [token, now]));
	return { ...(stored ?? {}) };
}

/** At most MAX_PENDING, none older than MAX_PENDING_AGE_MS: a minute that never gets ready is given up, said so. */
export function boundPending(context: IPollFunctions, pending: Record<string, number>, now: number): Record<string, number> {
	const kept = Object.entries(pending)
		.filter(([token, since]) => {
			if (now - since <= MAX_PENDING_AGE_MS) return true;
			context.logger.warn(`Feishu Minutes Trigger: minute ${token} was still not ready after 24 hours; no longer waiting for it`);
			return false;
		})
		.sort(([, a], [, b]) => b - a);
	for (const [token] of kept.slice(MAX_PENDING)) {
		context.logger.warn(`Feishu Minutes Trigger: more than ${MAX_PENDING} minutes wait for their media; no longer waiting for ${token}`);
	}
	return Object.fromEntries(kept.slice(0, MAX_PENDING));
}

/** Older versions stored ISO strings. */
function toTime(value: number | string): number {
	return typeof value === 'number' ? value : Date.parse(value);
}

function readStartTime(context: IPollFunctions): number | undefined {
	if (context.getNodeParameter('startFrom') !== 'date') return undefined;
	const value = context.getNodeParameter('startTime') as unknown;
	const time = new Date(typeof value === 'number' ? value : String(value ?? '')).getTime();
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), 'The "Start Time" field is not a date', {
			description: 'Pick the date and time from which minutes count as new, or set Start From to Now.',
		});
	}
	return time;
}
