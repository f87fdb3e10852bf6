/**
 * How the polling Trigger gets past trouble: a backlog is searched in bounded windows, oldest first;
 * a minute Feishu keeps failing on is retried with back-off, then given up, while the others flow.
 */
import type { IPollFunctions } from 'n8n-workflow';

import type { FeishuClient } from '../transport/client';
import { SEARCH_WINDOW_MS, searchMinutes } from '../transport/endpoints';

const MINUTE = 60 * 1000;

/** Window searches one poll makes at most; each asks for at most `room + 1` minutes (≤ 11 pages of 30). */
export const MAX_WINDOW_SEARCHES = 3;

/** The narrowest window: Feishu's create-time filter counts whole seconds. */
const MIN_STEP_MS = 1000;

/** A window with more minutes than fit is narrowed to this share of its width. */
const NARROW_BY = 4;

/** What one poll's searches found, and how far they got. */
export interface Window {
	/** Minutes found, oldest first (search answers newest first). */
	tokens: string[];
	/** Minutes created up to here were all searched. */
	to: number;
	/** Whether that is `end`: nothing is left behind. */
	caughtUp: boolean;
	/** The width to try first next poll. */
	stepMs: number;
}

/**
 * Minutes created from `from` on, window by window, oldest window first, at most `room` of them (but
 * a one-second window is taken whole, however full). A window holding more than fits is narrowed and
 * searched again; one holding few lets the next one widen. At most MAX_WINDOW_SEARCHES searches, and
 * none once half the room is taken.
 */
export async function searchForward(
	client: FeishuClient,
	keyword: string,
	{ from, end, room, stepMs }: { from: number; end: number; room: number; stepMs?: number },
): Promise<Window> {
	const tokens: string[] = [];
	let step = Math.min(stepMs ?? SEARCH_WINDOW_MS, SEARCH_WINDOW_MS);
	let to = from;
	for (let searches = 0; searches < MAX_WINDOW_SEARCHES && to < end && tokens.length * 2 <= room; searches++) {
		const until = Math.min(end, to + step);
		const left = room - tokens.length;
		const narrowest = step <= MIN_STEP_MS;
		const found = await searchMinutes(client, { keyword, from: to, to: until }, narrowest ? Infinity : left + 1, 0);
		if (found.length > left && !narrowest) {
			// what fits is taken; this window waits for the next poll
			if (tokens.length) break;
			step = Math.max(MIN_STEP_MS, Math.floor(step / NARROW_BY));
			continue;
		}
		tokens.push(...found.map(({ token }) => String(token)).reverse());
		to = until;
		if (found.length * NARROW_BY <= room) step = Math.min(step * 2, SEARCH_WINDOW_MS);
		if (narrowest) break;
	}
	return { tokens, to, caughtUp: to >= end, stepMs: step };
}

/** Failed checks of one minute before it is given up. */
export const MAX_ATTEMPTS = 6;

/** The wait after the first failure; each later one waits RETRY_FACTOR times longer (10 min … 13.5 h). */
export const FIRST_RETRY_MS = 10 * MINUTE;
const RETRY_FACTOR = 3;

/** A minute failing for longer than this is given up whatever its attempts. */
export const MAX_FAILING_MS = 24 * 60 * MINUTE;

/** Minutes remembered as failing at most; beyond, the longest failing are given up. */
const MAX_FAILING = 100;

/** A minute whose check failed for a reason that may pass: retried at `retryAt` (n8n's clock). */
export interface FailingMinute {
	attempts: number;
	retryAt: number;
	/** When it was first found (pending or failing). */
	since: number;
}

/**
 * Counts a failed check. Returns false when the minute is given up (after MAX_ATTEMPTS, or failing
 * for MAX_FAILING_MS), said so in n8n's log; else it waits with back-off.
 */
export function recordFailure(
	context: IPollFunctions,
	failing: Record<string, FailingMinute>,
	token: string,
	error: unknown,
	{ now, since }: { now: number; since: number },
): boolean {
	const attempts = (failing[token]?.attempts ?? 0) + 1;
	const first = Math.min(failing[token]?.since ?? since, since);
	const reason = error instanceof Error ? error.message : 'unknown error';
	if (attempts >= MAX_ATTEMPTS || now - first >= MAX_FAILING_MS) {
		delete failing[token];
		context.logger.warn(`Feishu Minutes Trigger: giving up on minute ${token} after ${attempts} failed attempts: ${reason}`);
		return false;
	}
	const retryAt = now + FIRST_RETRY_MS * RETRY_FACTOR ** (attempts - 1);
	failing[token] = { attempts, retryAt, since: first };
	context.logger.warn(
		`Feishu Minutes Trigger: minute ${token} failed (attempt ${attempts} of ${MAX_ATTEMPTS}), trying again after ${new Date(retryAt).toISOString()}: ${reason}`,
	);
	return true;
}

/** Failing minutes as stored (older versions stored none), at most MAX_FAILING: the newest kept. */
export function readFailing(context: IPollFunctions, stored: unknown): Record<string, FailingMinute> {
	const entries = Object.entries(stored && typeof stored === 'object' ? (stored as Record<string, FailingMinute>) : {}).sort(
		([, a], [, b]) => b.since - a.since,
	);
	for (const [token] of entries.slice(MAX_FAILING)) {
		context.logger.warn(`Feishu Minutes Trigger: more than ${MAX_FAILING} minutes keep failing; no longer trying ${token}`);
	}
	return Object.fromEntries(entries.slice(0, MAX_FAILING));
}
