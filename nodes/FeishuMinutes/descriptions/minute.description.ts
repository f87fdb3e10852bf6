import type { INodeProperties } from 'n8n-workflow';

import { MINUTE_FIELD_HINT } from '../transport/minuteToken';

export const minuteOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['minute'] } },
		options: [
			{
				name: 'Get Media',
				value: 'getMedia',
				action: 'Get the audio or video file of a minute',
				description: 'Get the download URL of a minute\'s recording, or the file itself',
			},
		],
		default: 'getMedia',
	},
];

const minuteField: INodeProperties = {
	displayName: 'Minute',
	name: 'minute',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'https://sample.feishu.cn/minutes/obcnq3b9jl72l83w4f149w9c',
	description: MINUTE_FIELD_HINT,
	displayOptions: { show: { resource: ['minute'] } },
};

const getMediaFields: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		displayOptions: { show: { resource: ['minute'], operation: ['getMedia'] } },
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
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { resource: ['minute'], operation: ['getMedia'], output: ['file'] } },
	},
];

export const minuteFields: INodeProperties[] = [minuteField, ...getMediaFields];
