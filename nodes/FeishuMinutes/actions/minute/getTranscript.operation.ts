import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileNameFromDisposition, portableFileName } from '../../helpers/fileName';
import { ENDPOINTS, getTranscript } from '../../transport/endpoints';
import { binaryPropertyField, minuteFields, type OperationModule, type OperationRun, readBinaryPropertyName, minuteTokenOf, readReadyWait } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Get Transcript',
	action: 'Get the transcript of a minute',
	description: 'Get a minute\'s transcript as text or as a .txt / .srt file',
};

export const fields: INodeProperties[] = [
	...minuteFields,
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text', description: 'Put the transcript in the item\'s JSON, as text' },
			{ name: 'Binary File', value: 'file', description: 'Output the transcript as a file' },
		],
		default: 'text',
	},
	{
		displayName: 'File Format',
		name: 'fileFormat',
		type: 'options',
		options: [
			{ name: 'Plain Text', value: 'txt', description: 'A .txt file: passages with speaker and time' },
			{ name: 'SubRip Subtitles', value: 'srt', description: 'A .srt file: numbered cues with start and end times' },
		],
		default: 'txt',
	},
	{
		displayName: 'Include Speakers',
		name: 'includeSpeakers',
		type: 'boolean',
		default: true,
		description: 'Whether to name the speaker of each passage',
	},
	{
		displayName: 'Include Timestamps',
		name: 'includeTimestamps',
		type: 'boolean',
		default: true,
		description: 'Whether to give the time of each passage',
	},
	binaryPropertyField,
];

export const endpoint = ENDPOINTS.transcript;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** The transcript as text in the item, or as a .txt / .srt file in a binary field. */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const format = this.getNodeParameter('fileFormat', itemIndex, 'txt') as 'txt' | 'srt';
	const output = this.getNodeParameter('output', itemIndex, 'text') as 'text' | 'file';
	const binaryPropertyName = output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;
	const minuteToken = await minuteTokenOf(this, client, itemIndex);

	const file = await getTranscript(
		client,
		minuteToken,
		{
			need_speaker: this.getNodeParameter('includeSpeakers', itemIndex, true) as boolean,
			need_timestamp: this.getNodeParameter('includeTimestamps', itemIndex, true) as boolean,
			file_format: format,
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
	const fileName = portableFileName(fileNameFromDisposition(file.headers['content-disposition']) ?? `${minuteToken}.${format}`);
	const mimeType = format === 'srt' ? 'application/x-subrip' : 'text/plain';
	const binary = await this.helpers.prepareBinaryData(file.data, fileName, mimeType);
	return {
		json: { minuteToken, format, fileName, fileSize: file.data.length },
		binary: { [binaryPropertyName]: binary },
		pairedItem: { item: itemIndex },
	};
}
