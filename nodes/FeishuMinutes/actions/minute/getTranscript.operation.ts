import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fileNameFromDisposition, portableFileName } from '../../helpers/fileName';
import { ENDPOINTS, getTranscript } from '../../transport/endpoints';
import { binaryPropertyField, minuteFields, type OperationModule, type OperationRun, readBinaryPropertyName, minuteTokenOf, readReadyWait } from '../operation';
import { textPart } from '../toolOutput';

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
		description: 'Whether to put the transcript in the item as text (what an AI agent reads) or output a file',
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
		description: 'The transcript\'s layout: plain passages, or SubRip subtitle cues',
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
	{
		displayName: 'Max Characters',
		name: 'maxCharacters',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'At most this many characters of the transcript; the item then says the total length and where the next part starts. 0: all of it (run by an AI agent: 20,000).',
		displayOptions: { show: { output: ['text'] } },
	},
	{
		displayName: 'Start At Character',
		name: 'startAt',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Where the part begins: 0 for the start, or the "nextStartAt" of the previous part',
		displayOptions: { show: { output: ['text'] } },
	},
	binaryPropertyField,
];

/** A transcript an AI agent asks for comes in parts of at most this many characters, unless it says otherwise. */
const TOOL_PART_CHARACTERS = 20_000;

export const endpoint = ENDPOINTS.transcript;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** The transcript as text in the item, or as a .txt / .srt file in a binary field. */
export async function execute(this: IExecuteFunctions, { client, asTool }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const format = this.getNodeParameter('fileFormat', itemIndex, 'txt') as 'txt' | 'srt';
	const output = this.getNodeParameter('output', itemIndex, 'text') as 'text' | 'file';
	const binaryPropertyName = output === 'file' ? readBinaryPropertyName(this, itemIndex) : undefined;
	const part = readPart(this, itemIndex, asTool);
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
		const transcript = file.data.toString('utf8');
		if (part.maxCharacters === 0 && part.startAt === 0) return { json: { minuteToken, format, transcript }, pairedItem: { item: itemIndex } };
		return { json: { minuteToken, format, ...textPart(transcript, part.startAt, part.maxCharacters || Infinity) }, pairedItem: { item: itemIndex } };
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

/** Max Characters and Start At Character: whole numbers, checked before any request. */
function readPart(context: IExecuteFunctions, itemIndex: number, asTool: boolean): { maxCharacters: number; startAt: number } {
	const read = (name: string, label: string) => {
		const value = Number(context.getNodeParameter(name, itemIndex, 0));
		if (!Number.isInteger(value) || value < 0) {
			throw new NodeOperationError(context.getNode(), `The "${label}" field must be a whole number of at least 0`, { itemIndex });
		}
		return value;
	};
	const maxCharacters = read('maxCharacters', 'Max Characters');
	return { maxCharacters: maxCharacters === 0 && asTool ? TOOL_PART_CHARACTERS : maxCharacters, startAt: read('startAt', 'Start At Character') };
}
