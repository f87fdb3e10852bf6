import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { NOT_READY_CODES, RATE_LIMITED_CODE, SERVER_ERROR_CODES, TOKEN_INVALID_CODES, type FeishuFailure } from './errors';

/** An HTTP answer, whatever its status. */
export interface HttpAnswer {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** The request never got an answer (connection refused or reset, timeout), or its token could not be renewed. */
export interface NoAnswer {
	networkFailure: string;
	/** What failed and what to do, when it was not reaching the API itself. */
	message?: string;
	description?: string;
}

export type Answer = HttpAnswer | NoAnswer;

/**
 * What an answer means for the request that got it:
 * - success: hand the data on;
 * - tokenInvalid: Feishu refused the access token — get a new one and send again, once;
 * - rateLimited: wait (`retryAfterMs` when Feishu says how long) and send again, within the retry allowance;
 * - transient: Feishu or the network failed — back off and send again, within the allowance;
 * - notReady: the minute is still being transcribed — poll when the user asked to wait;
 * - final: report `failure` to the user.
 */
export type Verdict =
	| { kind: 'success' }
	| { kind: 'tokenInvalid' | 'transient' | 'notReady' | 'final'; failure: FeishuFailure }
	| { kind: 'rateLimited'; failure: FeishuFailure; retryAfterMs?: number };

export interface ClassifyContext {
	/** The endpoint answers with a file on success, JSON only on errors. */
	returnsFile: boolean;
	/** For the message when Feishu could not be reached. */
	baseUrl: string;
	/** Values that must never be quoted back (app secret, tokens). */
	secrets?: readonly string[];
}

/** Decides on the body's `code` first, whatever the HTTP status: Feishu reports most failures there. */
export function classify(answer: Answer, { returnsFile, baseUrl, secrets = [] }: ClassifyContext): Verdict {
	if ('networkFailure' in answer) {
		return {
			kind: 'transient',
			failure: {
				httpCode: 0,
				message: answer.message ?? `Could not reach Feishu at ${baseUrl}`,
				description:
					answer.description ??
					`The request failed before Feishu answered (${answer.networkFailure}). Check the credential's deployment / Base URL and the network, then try again.`,
			},
		};
	}
	if (returnsFile && answer.statusCode < 300 && !isJson(answer)) return { kind: 'success' };
	const body = jsonBody(answer.body);
	if (!body || typeof body.code !== 'number') {
		const failure: FeishuFailure = {
			httpCode: answer.statusCode,
			message: `Feishu answered HTTP ${answer.statusCode} with something that is not a Feishu API response`,
			description:
				'This usually comes from a gateway or proxy in front of Feishu, or from a wrong Base URL in the credential. ' +
				`Body starts with: ${describeBody(answer.body, secrets)}`,
		};
		if (answer.statusCode === 401) return { kind: 'tokenInvalid', failure };
		if (answer.statusCode === 429) return { kind: 'rateLimited', failure, retryAfterMs: retryAfterMs(answer) };
		return { kind: answer.statusCode >= 500 ? 'transient' : 'final', failure };
	}
	if (body.code === 0) return { kind: 'success' };

	// a proxy speaking Feishu's envelope may echo the request in `msg`
	const failure: FeishuFailure = { httpCode: answer.statusCode, feishuCode: body.code, feishuMessage: scrub(String(body.msg ?? ''), secrets).slice(0, 300) };
	if (TOKEN_INVALID_CODES.has(body.code)) return { kind: 'tokenInvalid', failure };
	if (body.code === RATE_LIMITED_CODE || answer.statusCode === 429) {
		return { kind: 'rateLimited', failure, retryAfterMs: retryAfterMs(answer) };
	}
	if (NOT_READY_CODES.has(body.code)) return { kind: 'notReady', failure };
	if (SERVER_ERROR_CODES.has(body.code) || answer.statusCode >= 500) return { kind: 'transient', failure };
	return { kind: 'final', failure };
}

/** n8n hands back parsed JSON, a string (when parsing failed) or a Buffer. */
export function jsonBody(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as IDataObject;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' ? (parsed as IDataObject) : undefined;
	} catch {
		return undefined;
	}
}

function isJson(answer: HttpAnswer): boolean {
	const type = answer.headers?.['content-type'];
	return /json/i.test(Array.isArray(type) ? type.join(';') : (type ?? ''));
}

/** Feishu's gateway says when the window frees up (x-ogw-ratelimit-reset, seconds), capped at a minute. */
function retryAfterMs(answer: HttpAnswer): number | undefined {
	const reset = Number(answer.headers?.['x-ogw-ratelimit-reset']);
	return Number.isFinite(reset) && reset > 0 ? Math.min(reset, 60) * 1000 : undefined;
}

/** The start of a body for an error description, with anything secret blanked out first. */
function describeBody(body: unknown, secrets: readonly string[]): string {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	if (text.trim() === '') return '(empty body)';
	const squeezed = scrub(text.replace(/<[^>]*>/g, ' '), secrets).replace(/\s+/g, ' ').trim();
	return JSON.stringify(squeezed.length > 160 ? `${squeezed.slice(0, 160)}…` : squeezed);
}

/**
 * Blanks what a gateway page may echo of the request: the given secrets, bearer tokens, Feishu's
 * token shapes (t-…, u-…, ur-…) and any field named like a secret or token.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
	let scrubbed = text;
	for (const secret of secrets) if (secret.length >= 6) scrubbed = scrubbed.split(secret).join('[hidden]');
	return scrubbed
		.replace(/(bearer\s+)[^\s"'<>,;]+/gi, '$1[hidden]')
		.replace(/\b(?:t|u|ur)-[A-Za-z0-9._~+/=-]{8,}/g, '[hidden]')
		.replace(/(["']?[\w-]*(?:secret|token|password|authorization)[\w-]*["']?\s*[:=]\s*["']?)[^"'\s&,;}<]+/gi, '$1[hidden]');
}

/** An HTTP answer carried by a thrown error (user mode lets the "expired" status throw). */
export function answerIn(error: unknown): HttpAnswer | undefined {
	const carrier = findInChain(error, (link) => typeof (link as { response?: { status?: unknown } }).response?.status === 'number');
	if (!carrier) return undefined;
	const response = (carrier as { response: { status: number; headers?: unknown; data?: unknown } }).response;
	return { statusCode: response.status, headers: (response.headers ?? {}) as HttpAnswer['headers'], body: response.data };
}

/** The first error along the `cause` chain (at most 5 deep) that matches. */
export function findInChain<T>(error: unknown, matches: (link: unknown) => link is T): T | undefined;
export function findInChain(error: unknown, matches: (link: unknown) => boolean): unknown;
export function findInChain(error: unknown, matches: (link: unknown) => boolean): unknown {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (matches(current)) return current;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

export function unwrap(error: unknown): unknown {
	return error instanceof NodeApiError && error.cause ? error.cause : error;
}
