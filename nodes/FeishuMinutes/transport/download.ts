import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { networkErrorSummary } from '../../../credentials/feishuAuth';
import { mediaFileName, mediaType } from '../helpers/fileName';
import { feishuApiError } from './errors';

export interface DownloadedMedia {
	binary: IBinaryData;
	fileName: string;
	mimeType: string;
	bytes: number;
}

const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The response stream, as n8n's binary helpers take it (typed without importing Node's stream module). */
type MediaStream = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & { destroy(): void };

export interface DownloadRequest {
	downloadUrl: string;
	minuteToken: string;
	/** The credential's API base: decides whether an http (not https) download URL is acceptable. */
	apiBaseUrl: string;
	timeoutMs: number;
}

/**
 * Streams a pre-signed download URL into n8n's binary data. The request goes through the plain
 * (unauthenticated) helper: the URL lives on another host and must never receive our token.
 */
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
