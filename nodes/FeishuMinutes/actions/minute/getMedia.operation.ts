import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { backoffDelay } from '../../helpers/RateLimiter';
import { downloadMedia } from '../../transport/download';
import { ENDPOINTS, getMedia } from '../../transport/endpoints';
import { readOptions } from '../options';
import { binaryPropertyField, minuteFields, type OperationModule, type OperationRun, readBinaryPropertyName, minuteTokenOf, readReadyWait } from '../operation';

/** Feishu's download URLs stay valid for one day. */
const DOWNLOAD_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;

export const option: OperationModule['option'] = {
	name: 'Get Media',
	action: 'Get the audio or video file of a minute',
	description: 'Get the download URL of a minute\'s recording, or the file itself',
};

export const fields: INodeProperties[] = [
	...minuteFields,
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Download URL',
				value: 'url',
				description: 'Output the download URL (valid for 1 day) without fetching the file',
			},
			{
				name: 'Binary File',
				value: 'file',
				description:
					'Download the recording and output it as binary data. In n8n\'s default in-memory binary mode a recording takes about 3.4× its size in memory while stored (256 MiB → about 880 MiB) and over 384 MiB is refused: set N8N_DEFAULT_BINARY_DATA_MODE=filesystem for long meetings.',
			},
		],
		default: 'url',
		description: 'Whether to output the recording\'s download URL (an AI agent gets this) or the recording itself',
	},
	binaryPropertyField,
];

export const endpoint = ENDPOINTS.media;

export const options: OperationModule['options'] = ['downloadDeadlineMinutes', 'parallelDownloads', 'waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/**
 * The recording's download URL, or the recording itself streamed into n8n's binary data. A download
 * that fails in a way that may pass (no answer, a 5xx or expired URL, a stall, a cut mid-file) is
 * tried again with a fresh URL, up to Max Retries times, with growing pauses.
 */
export async function execute(this: IExecuteFunctions, { client, downloads, store }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const output = this.getNodeParameter('output', itemIndex, 'url') as 'url' | 'file';
	const binaryPropertyName = output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;
	const { timeoutSeconds, downloadDeadlineMinutes, maxRetries } = readOptions(this, itemIndex);
	const minuteToken = await minuteTokenOf(this, client, itemIndex);

	for (let attempt = 0; ; attempt++) {
		const requestedAt = Date.now();
		const downloadUrl = await freshDownloadUrl(this, client, minuteToken, itemIndex);
		const json = { minuteToken, downloadUrl, expiresAt: new Date(requestedAt + DOWNLOAD_URL_LIFETIME_MS).toISOString() };
		if (binaryPropertyName === undefined) return { json, pairedItem: { item: itemIndex } };

		const download = { downloadUrl, minuteToken, apiBaseUrl: client.baseUrl, idleTimeoutMs: timeoutSeconds * 1000, deadlineMs: downloadDeadlineMinutes * 60_000 };
		const media = await downloads.run(async () => await downloadMedia(this, download, store, itemIndex));
		if (!('transient' in media)) {
			return {
				json: { ...json, fileName: media.fileName, mimeType: media.mimeType, fileSize: media.bytes },
				binary: { [binaryPropertyName]: media.binary },
				pairedItem: { item: itemIndex },
			};
		}
		if (attempt >= maxRetries) throw media.transient;
		await sleep(backoffDelay(attempt));
	}
}

async function freshDownloadUrl(context: IExecuteFunctions, client: OperationRun['client'], minuteToken: string, itemIndex: number): Promise<string> {
	const data = await getMedia(client, minuteToken, itemIndex, readReadyWait(context, itemIndex));
	const downloadUrl = data.download_url;
	if (typeof downloadUrl !== 'string' || downloadUrl === '') {
		throw new NodeOperationError(context.getNode(), 'Feishu answered without a download URL', {
			itemIndex,
			description: 'The response had code 0 but no data.download_url. Try again; if it persists, report it to Feishu.',
		});
	}
	return downloadUrl;
}
