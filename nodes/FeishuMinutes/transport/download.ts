import type { IBinaryData, IExecuteFunctions, NodeApiError } from 'n8n-workflow';

import { networkErrorSummary } from '../../../credentials/feishuAuth';
import { isRecordingType, mediaFileName, mediaType } from '../helpers/fileName';
import { watchStream, type WatchedStream, type WatchVerdict } from '../helpers/streamWatch';
import { type BinaryStore, storeFailure } from './binaryStore';
import { feishuApiError, type FeishuFailure } from './errors';

export interface DownloadedMedia {
	binary: IBinaryData;
	fileName: string;
	mimeType: string;
	bytes: number;
}

const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What a download URL past its day of validity answers. */
const EXPIRED_STATUSES = new Set([401, 403, 410]);

/** A body still marked compressed (by an HTTP layer that inflates but keeps the header) may be this many times its declared size. */
const MAX_INFLATION = 10;

/**
 * n8n's HTTP client inflates a compressed answer and drops its Content-Encoding (keeping the compressed
 * Content-Length, if any), so a body of undeclared size may be a few KB on the wire and any size once
 * inflated: it is read up to this many bytes only.
 */
const UNDECLARED_MAX_BYTES = 256 * 1024 * 1024;

/** A failure a new attempt with a fresh URL may get past: no answer, a 5xx or an expired URL, a stall, a cut. */
export interface TransientDownloadFailure {
	transient: NodeApiError;
}

/** The response stream, as n8n's binary helpers take it (typed without importing Node's stream module). */
type MediaStream = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & WatchedStream;

interface MediaResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: MediaStream;
}

export interface DownloadRequest {
	downloadUrl: string;
	minuteToken: string;
	/** The credential's API base: decides whether an http (not https) download URL is acceptable. */
	apiBaseUrl: string;
	/** Longest silence from the file server: before its headers, and between two chunks of the body. */
	idleTimeoutMs: number;
	/** The whole download, redirects included, must be done within this. */
	deadlineMs: number;
}

/**
 * Streams a pre-signed download URL into n8n's binary data. The request goes through the plain
 * (unauthenticated) helper: the URL lives on another host and must never receive our token. Every
 * download ends: a silent or trickling server is cut off, and nothing partial is kept.
 */
export async function downloadMedia(
	context: IExecuteFunctions,
	request: DownloadRequest,
	store: BinaryStore,
	itemIndex: number,
): Promise<DownloadedMedia | TransientDownloadFailure> {
	const fail = (failure: FeishuFailure) => feishuApiError(context.getNode(), failure, itemIndex);
	const deadline = Date.now() + request.deadlineMs;
	const response = await fetchFollowingRedirects(context, request, fail);
	if ('transient' in response) return response;
	const { statusCode, headers, body } = response;

	const declaredType = typeof headers['content-type'] === 'string' ? mediaType(headers['content-type']) : undefined;
	const declaredSize = byteCount(headers['content-length']);
	const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
	const problem = notARecording(statusCode, declaredType, declaredSize, encoding) ?? notWhole(statusCode, headers['content-range'], declaredSize);
	if (problem) {
		body.destroy();
		const error = fail({ httpCode: statusCode, ...problem });
		if (statusCode >= 500 || EXPIRED_STATUSES.has(statusCode)) return { transient: error };
		throw error;
	}
	const capacity = declaredSize === undefined ? undefined : await store.refusal(declaredSize);
	if (capacity) {
		body.destroy();
		throw fail({ httpCode: statusCode, ...capacity });
	}

	const mimeType = declaredType ?? mediaType(undefined);
	const fileName = mediaFileName(headers['content-disposition'], mimeType, request.minuteToken);
	const maxBytes = declaredSize === undefined ? UNDECLARED_MAX_BYTES : encoding === 'identity' ? declaredSize : declaredSize * MAX_INFLATION;
	const watch = watchStream(body, { idleMs: request.idleTimeoutMs, deadline, maxBytes });
	let binary: IBinaryData;
	try {
		binary = await context.helpers.prepareBinaryData(body, fileName, mimeType);
	} catch (error) {
		// n8n's store removes its partial file; the item must not look complete either.
		if (watch.verdict === 'idle') return { transient: fail({ httpCode: statusCode, ...cutOff(watch.verdict, request, declaredSize) }) };
		if (watch.verdict) throw fail({ httpCode: statusCode, ...cutOff(watch.verdict, request, declaredSize) });
		const { brokenOff, ...failure } = storeFailure(error);
		if (brokenOff === true) return { transient: fail({ httpCode: statusCode, ...failure }) };
		throw fail({ httpCode: statusCode, ...failure });
	} finally {
		watch.stop();
	}
	return { binary, fileName: binary.fileName ?? fileName, mimeType, bytes: Number(binary.bytes ?? watch.bytes) };
}

/**
 * Redirects are followed here, not by the HTTP client, so each hop is checked: at most
 * MAX_REDIRECTS, never from https down to http, never with an Authorization header, and only to
 * an address that parses.
 */
async function fetchFollowingRedirects(
	context: IExecuteFunctions,
	{ downloadUrl, apiBaseUrl, idleTimeoutMs }: DownloadRequest,
	fail: (failure: FeishuFailure) => NodeApiError,
): Promise<MediaResponse | TransientDownloadFailure> {
	let url = downloadUrl;
	for (let redirects = 0; ; redirects++) {
		assertDownloadableUrl(url, apiBaseUrl, fail);
		let response: MediaResponse;
		try {
			response = await context.helpers.httpRequest({
				method: 'GET',
				url,
				// a recording is sent as it is; a compressed one would have to be inflated in memory
				headers: { 'Accept-Encoding': 'identity' },
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: idleTimeoutMs,
			});
		} catch (error) {
			return {
				transient: fail({
					httpCode: 0,
					message: 'Could not download the media file',
					description: `The file server did not answer (${networkErrorSummary(error)}). Try again later.`,
				}),
			};
		}
		if (!REDIRECT_STATUSES.has(response.statusCode)) return response;
		response.body.destroy();
		const next = redirectTarget(response.headers.location, url);
		const refusal =
			next === undefined
				? `It answered HTTP ${response.statusCode} without a usable Location (${JSON.stringify(String(response.headers.location ?? 'none')).slice(0, 80)}).`
				: redirects >= MAX_REDIRECTS
					? `More than ${MAX_REDIRECTS} redirects. Try again later; if it persists, report it to Feishu.`
					: url.startsWith('https:') && next.protocol !== 'https:'
						? 'A redirect from https to plain http was refused, so the file cannot be fetched insecurely.'
						: undefined;
		if (refusal) {
			throw fail({ httpCode: response.statusCode, message: 'The media download redirected somewhere this node will not follow', description: refusal });
		}
		url = next!.href;
	}
}

function redirectTarget(location: unknown, from: string): URL | undefined {
	if (typeof location !== 'string' || location.trim() === '') return undefined;
	try {
		return new URL(location, from);
	} catch {
		return undefined;
	}
}

/** Only a 2xx with a body of a media type (or plain bytes) is a recording. */
function notARecording(
	statusCode: number,
	type: string | undefined,
	size: number | undefined,
	encoding: string,
): Omit<FeishuFailure, 'httpCode'> | undefined {
	if (statusCode >= 400) {
		const expired = EXPIRED_STATUSES.has(statusCode);
		return {
			message: `The media download was refused (HTTP ${statusCode})`,
			description: expired
				? 'The download URL has probably expired (Feishu URLs are valid for 1 day). Run the node again to get a fresh URL.'
				: 'The file server failed to send the file. Try again later.',
		};
	}
	if (statusCode < 200 || statusCode >= 300 || statusCode === 204 || statusCode === 205 || size === 0) {
		return {
			message: `The file server sent no recording (HTTP ${statusCode}${size === 0 ? ', empty body' : ''})`,
			description: 'Nothing was saved. Run the node again for a fresh download URL; if it persists, report it to Feishu.',
		};
	}
	if (type !== undefined && !isRecordingType(type)) {
		return {
			message: `The file server sent ${type}, not a recording`,
			description: 'An error or login page came back instead of the audio or video file; nothing was saved. Run the node again for a fresh download URL.',
		};
	}
	if (encoding !== 'identity' && size === undefined) {
		return {
			message: `The file server sent a compressed (${encoding}) recording of undeclared size`,
			description: 'It was not inflated, since nothing would bound its size. Try again later; if it persists, report it to Feishu.',
		};
	}
	return undefined;
}

/** A Content-Length as a byte count; anything else counts as undeclared. */
function byteCount(header: unknown): number | undefined {
	return typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
}

/** Only a whole file is a recording: never a 206, nor a body whose Content-Range is not the whole file. */
function notWhole(statusCode: number, contentRange: unknown, size: number | undefined): Omit<FeishuFailure, 'httpCode'> | undefined {
	if (statusCode !== 206 && contentRange === undefined) return undefined;
	const range = /^bytes\s+(\d+)-(\d+)\/(\d+)$/i.exec(String(contentRange ?? '').trim());
	const total = range ? Number(range[3]) : NaN;
	const whole = range !== null && Number(range[1]) === 0 && Number(range[2]) === total - 1 && (size === undefined || size === total);
	if (statusCode !== 206 && whole) return undefined;
	const shown = contentRange === undefined ? '' : `, Content-Range ${JSON.stringify(String(contentRange)).slice(0, 60)}`;
	return {
		message: `The file server sent only part of the recording (HTTP ${statusCode}${shown})`,
		description: 'Only a whole file is saved as the recording; nothing was kept. Run the node again for a fresh download URL; if it persists, report it to Feishu.',
	};
}

function cutOff(verdict: WatchVerdict, { idleTimeoutMs, deadlineMs }: DownloadRequest, declaredSize: number | undefined): Omit<FeishuFailure, 'httpCode'> {
	const saved = 'Nothing partial was kept.';
	if (verdict === 'idle') {
		return {
			message: `The media download stalled: the file server sent nothing for ${Math.round(idleTimeoutMs / 1000)} s`,
			description: `${saved} Run the node again, or raise the "Timeout (Seconds)" option if the file server is just slow.`,
		};
	}
	if (verdict === 'deadline') {
		return {
			message: `The media download did not finish within ${Math.round(deadlineMs / 60_000)} min`,
			description: `${saved} The file server is sending too slowly. Raise the "Download Deadline (Minutes)" option for very large recordings, or try again later.`,
		};
	}
	if (declaredSize === undefined) {
		return {
			message: `The file server sent more than ${UNDECLARED_MAX_BYTES / 1024 / 1024} MiB without declaring the recording's size`,
			description: `${saved} n8n inflates a compressed answer without saying so, so a body without a Content-Length may be a small compressed one of any size: it is read up to ${UNDECLARED_MAX_BYTES / 1024 / 1024} MiB only. If a proxy between n8n and Feishu removes Content-Length, let it pass downloads unchanged; otherwise report it to Feishu.`,
		};
	}
	return {
		message: 'The file server sent more than the size it declared',
		description: `${saved} The download was stopped. Try again later; if it persists, report it to Feishu.`,
	};
}

function assertDownloadableUrl(downloadUrl: string, apiBaseUrl: string, fail: (failure: FeishuFailure) => NodeApiError): void {
	let protocol = '';
	try {
		protocol = new URL(downloadUrl).protocol;
	} catch {
		// reported below
	}
	const allowed = protocol === 'https:' || (protocol === 'http:' && apiBaseUrl.startsWith('http:'));
	if (!allowed) {
		throw fail({
			httpCode: 200,
			message: 'Feishu returned a download URL this node will not follow',
			description: `Only https download URLs are followed (http only when the credential's Base URL is http). Got a URL with scheme "${protocol || 'none'}".`,
		});
	}
}
