import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { downloadMedia } from '../../transport/download';
import { type OperationRun, readBinaryPropertyName, readMinuteToken, readOptions, readReadyWait } from '../shared';

/** Feishu's download URLs stay valid for one day. */
const DOWNLOAD_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;

export async function getMedia(
	this: IExecuteFunctions,
	{ client, downloads }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const output = this.getNodeParameter('output', itemIndex, 'url') as 'url' | 'file';
	const binaryPropertyName =
		output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;

	const requestedAt = Date.now();
	const data = await client.request<{ download_url?: unknown }>(
		{ method: 'GET', path: `/open-apis/minutes/v1/minutes/${minuteToken}/media` },
		itemIndex,
		readReadyWait(this, itemIndex),
	);
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

	const timeoutMs = (readOptions(this, itemIndex).timeoutSeconds ?? 60) * 1000;
	const media = await downloads.run(
		async () => await downloadMedia(this, { downloadUrl, minuteToken, apiBaseUrl: client.baseUrl, timeoutMs }, itemIndex),
	);
	return {
		json: { ...json, fileName: media.fileName, mimeType: media.mimeType, fileSize: media.bytes },
		binary: { [binaryPropertyName]: media.binary },
		pairedItem: { item: itemIndex },
	};
}
