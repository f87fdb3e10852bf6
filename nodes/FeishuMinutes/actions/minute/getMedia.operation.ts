import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { downloadMedia } from '../../transport/download';
import { ENDPOINTS, getMedia } from '../../transport/endpoints';
import { readOptions } from '../options';
import { binaryPropertyField, minuteFields, type OperationModule, type OperationRun, readBinaryPropertyName, readMinuteToken, readReadyWait } from '../operation';

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
				description: 'Download the recording and output it as binary data',
			},
		],
		default: 'url',
	},
	binaryPropertyField,
];

export const endpoint = ENDPOINTS.media;

export const options: OperationModule['options'] = ['downloadDeadlineMinutes', 'parallelDownloads', 'waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** The recording's download URL, or the recording itself streamed into n8n's binary data. */
export async function execute(this: IExecuteFunctions, { client, downloads, store }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const output = this.getNodeParameter('output', itemIndex, 'url') as 'url' | 'file';
	const binaryPropertyName = output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;

	const requestedAt = Date.now();
	const data = await getMedia(client, minuteToken, itemIndex, readReadyWait(this, itemIndex));
	const downloadUrl = data.download_url;
	if (typeof downloadUrl !== 'string' || downloadUrl === '') {
		throw new NodeOperationError(this.getNode(), 'Feishu answered without a download URL', {
			itemIndex,
			description: 'The response had code 0 but no data.download_url. Try again; if it persists, report it to Feishu.',
		});
	}

	const json = {
		minuteToken,
		downloadUrl,
		expiresAt: new Date(requestedAt + DOWNLOAD_URL_LIFETIME_MS).toISOString(),
	};
	if (binaryPropertyName === undefined) return { json, pairedItem: { item: itemIndex } };

	const { timeoutSeconds, downloadDeadlineMinutes } = readOptions(this, itemIndex);
	const download = { downloadUrl, minuteToken, apiBaseUrl: client.baseUrl, idleTimeoutMs: timeoutSeconds * 1000, deadlineMs: downloadDeadlineMinutes * 60_000 };
	const media = await downloads.run(async () => await downloadMedia(this, download, store, itemIndex));
	return {
		json: { ...json, fileName: media.fileName, mimeType: media.mimeType, fileSize: media.bytes },
		binary: { [binaryPropertyName]: media.binary },
		pairedItem: { item: itemIndex },
	};
}
