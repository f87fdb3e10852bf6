import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { networkErrorSummary } from '../../../credentials/feishuAuth';
import { feishuApiError } from './errors';

export interface DownloadedMedia {
	binary: IBinaryData;
	fileName: string;
	mimeType: string;
	bytes: number;
}

const DEFAULT_MEDIA_TYPE = 'video/mp4';

const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The response stream, as n8n's binary helpers take it (typed without importing Node's stream module). */
type MediaStream = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & { destroy(): void };

/** File extensions for the media types Feishu serves, for a name that has none. */
const EXTENSIONS: Record<string, string> = {
	'video/mp4': 'mp4',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/ogg': 'ogg',
	'video/webm': 'webm',
	'audio/webm': 'webm',
	'video/quicktime': 'mov',
};

/** Extensions that already say "media": a name ending in one keeps it. */
const MEDIA_EXTENSIONS = new Set([...Object.values(EXTENSIONS), 'aac', 'flac', 'opus', 'mkv', 'avi']);

/**
 * Streams a pre-signed download URL into n8n's binary data. The request goes through the plain
 * (unauthenticated) helper: the URL lives on another host and must never receive our token.
 */
export interface DownloadRequest {
	downloadUrl: string;
	minuteToken: string;
	/** The credential's API base: decides whether an http (not https) download URL is acceptable. */
	apiBaseUrl: string;
	timeoutMs: number;
}

export async function downloadMedia(
	context: IExecuteFunctions,
	{ downloadUrl, minuteToken, apiBaseUrl, timeoutMs }: DownloadRequest,
	itemIndex: number,
): Promise<DownloadedMedia> {
	const node = context.getNode();
	let url = downloadUrl;
	let response: { statusCode: number; headers: Record<string, unknown>; body: MediaStream };
	// Redirects are followed here, not by the HTTP client, so each hop is checked: at most
	// MAX_REDIRECTS, never from https down to http, and never with an Authorization header.
	for (let redirects = 0; ; redirects++) {
		assertDownloadableUrl(context, url, apiBaseUrl, itemIndex);
		try {
			response = await context.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: timeoutMs,
			});
		} catch (error) {
			throw feishuApiError(
				node,
				{
					httpCode: 0,
					message: 'Could not download the media file',
					description: `The file server did not answer (${networkErrorSummary(error)}). Try again later.`,
				},
				itemIndex,
			);
		}
		const location = response.headers.location;
		if (!REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') break;
		response.body.destroy();
		const next = new URL(location, url);
		if (redirects >= MAX_REDIRECTS || (url.startsWith('https:') && next.protocol !== 'https:')) {
			throw feishuApiError(
				node,
				{
					httpCode: response.statusCode,
					message: 'The media download redirected somewhere this node will not follow',
					description:
						redirects >= MAX_REDIRECTS
							? `More than ${MAX_REDIRECTS} redirects. Try again later; if it persists, report it to Feishu.`
							: 'A redirect from https to plain http was refused, so the file cannot be fetched insecurely.',
				},
				itemIndex,
			);
		}
		url = next.href;
	}

	if (response.statusCode >= 400) {
		response.body.destroy();
		const expired = response.statusCode === 401 || response.statusCode === 403 || response.statusCode === 410;
		throw feishuApiError(
			node,
			{
				httpCode: response.statusCode,
				message: `The media download was refused (HTTP ${response.statusCode})`,
				description: expired
					? 'The download URL has probably expired (Feishu URLs are valid for 1 day). Run the node again to get a fresh URL.'
					: 'The file server failed to send the file. Try again later.',
			},
			itemIndex,
		);
	}

	const mimeType = mediaType(response.headers['content-type']);
	const fileName = mediaFileName(response.headers['content-disposition'], mimeType, minuteToken);
	let binary: IBinaryData;
	try {
		binary = await context.helpers.prepareBinaryData(response.body, fileName, mimeType);
	} catch (error) {
		// n8n's store removes its partial file; the item must not look complete either.
		throw feishuApiError(
			node,
			{
				httpCode: response.statusCode,
				message: 'The media download broke off before the file was complete',
				description: `The connection failed mid-file (${networkErrorSummary(error)}); no partial file was kept. Run the node again to retry.`,
			},
			itemIndex,
		);
	}
	return { binary, fileName: binary.fileName ?? fileName, mimeType, bytes: Number(binary.bytes ?? 0) };
}

function assertDownloadableUrl(
	context: IExecuteFunctions,
	downloadUrl: string,
	apiBaseUrl: string,
	itemIndex: number,
): void {
	let protocol = '';
	try {
		protocol = new URL(downloadUrl).protocol;
	} catch {
		// reported below
	}
	const allowed = protocol === 'https:' || (protocol === 'http:' && apiBaseUrl.startsWith('http:'));
	if (!allowed) {
		throw feishuApiError(
			context.getNode(),
			{
				httpCode: 200,
				message: 'Feishu returned a download URL this node will not follow',
				description: `Only https download URLs are followed (http only when the credential's Base URL is http). Got a URL with scheme "${protocol || 'none'}".`,
			},
			itemIndex,
		);
	}
}

function mediaType(header: unknown): string {
	const value = Array.isArray(header) ? header[0] : header;
	const type = typeof value === 'string' ? value.split(';')[0].trim().toLowerCase() : '';
	return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : DEFAULT_MEDIA_TYPE;
}

/**
 * The name the file is handed on with: the server's name (see fileNameFromDisposition), else the minute
 * token; given the extension its Content-Type implies when it has no media extension of its own
 * (a title like "周会 v1.2" becomes "周会 v1.2.mp4"), so the next node sees what it is.
 */
export function mediaFileName(disposition: unknown, mimeType: string, minuteToken: string): string {
	const name = fileNameFromDisposition(disposition) ?? minuteToken;
	const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
	return MEDIA_EXTENSIONS.has(extension) ? name : `${name}.${EXTENSIONS[mimeType] ?? EXTENSIONS[DEFAULT_MEDIA_TYPE]}`;
}

/**
 * RFC 6266: `filename*` (RFC 5987, any charset, usually UTF-8 — Chinese titles) wins over the
 * plain `filename`. Path separators and control characters never reach the file name.
 */
export function fileNameFromDisposition(header: unknown): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string') return undefined;

	const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(value);
	if (extended) {
		const decoded = decodeExtended(extended[1], extended[2].trim());
		if (decoded) return safeFileName(decoded);
	}
	const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;]+))/i.exec(value);
	const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
	return name ? safeFileName(name) : undefined;
}

function decodeExtended(charset: string, encoded: string): string | undefined {
	try {
		if (/^utf-?8$/i.test(charset) || charset === '') return decodeURIComponent(encoded);
		// ISO-8859-1 is the only other charset RFC 5987 requires
		return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	} catch {
		return undefined;
	}
}

function safeFileName(name: string): string | undefined {
	const base = name.split(/[\\/]/).pop() ?? '';
	// eslint-disable-next-line no-control-regex
	const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
	return cleaned === '' || cleaned === '.' || cleaned === '..' ? undefined : cleaned;
}
