import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { fileNameFromDisposition } from '../../transport/download';
import { readBinaryPropertyName, type OperationRun, readMinuteToken, readReadyWait } from '../shared';

/** The transcript as text in the item, or as a .txt / .srt file in a binary field. */
export async function getTranscript(
	this: IExecuteFunctions,
	{ client }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const format = this.getNodeParameter('fileFormat', itemIndex, 'txt') as 'txt' | 'srt';
	const output = this.getNodeParameter('output', itemIndex, 'text') as 'text' | 'file';
	const binaryPropertyName = output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;

	const file = await client.requestFile(
		{
			method: 'GET',
			path: `/open-apis/minutes/v1/minutes/${minuteToken}/transcript`,
			qs: {
				need_speaker: this.getNodeParameter('includeSpeakers', itemIndex, true) as boolean,
				need_timestamp: this.getNodeParameter('includeTimestamps', itemIndex, true) as boolean,
				file_format: format,
			},
		},
		itemIndex,
		readReadyWait(this, itemIndex),
	);

	if (binaryPropertyName === undefined) {
		return {
			json: { minuteToken, format, transcript: file.data.toString('utf8') },
			pairedItem: { item: itemIndex },
		};
	}
	const fileName = fileNameFromDisposition(file.headers['content-disposition']) ?? `${minuteToken}.${format}`;
	const mimeType = format === 'srt' ? 'application/x-subrip' : 'text/plain';
	const binary = await this.helpers.prepareBinaryData(file.data, fileName, mimeType);
	return {
		json: { minuteToken, format, fileName, fileSize: file.data.length },
		binary: { [binaryPropertyName]: binary },
		pairedItem: { item: itemIndex },
	};
}
