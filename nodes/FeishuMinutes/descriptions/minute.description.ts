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
				name: 'Get',
				value: 'get',
				action: 'Get a minute',
				description: 'Get a minute\'s title, owner, create time, duration, URL and cover',
			},
			{
				name: 'Get AI Notes',
				value: 'getAiNotes',
				action: 'Get the AI notes of a minute',
				description: 'Get Feishu\'s AI summary, chapters and to-dos of a minute',
			},
			{
				name: 'Get Media',
				value: 'getMedia',
				action: 'Get the audio or video file of a minute',
				description: 'Get the download URL of a minute\'s recording, or the file itself',
			},
			{
				name: 'Get Statistics',
				value: 'getStatistics',
				action: 'Get the statistics of a minute',
				description: 'Get how often and by whom a minute was viewed',
			},
			{
				name: 'Get Transcript',
				value: 'getTranscript',
				action: 'Get the transcript of a minute',
				description: 'Get a minute\'s transcript as text or as a .txt / .srt file',
			},
			{
				name: 'Search',
				value: 'search',
				action: 'Search minutes',
				description: 'Find the minutes the connected user can see, by keyword and creation time (User (OAuth2) only)',
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
	displayOptions: { show: { resource: ['minute'] }, hide: { operation: ['search'] } },
};

const searchFields: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		description: 'Words in the minute\'s title or content (at most 50 characters); empty finds all',
		displayOptions: { show: { resource: ['minute'], operation: ['search'] } },
	},
	{
		displayName: 'Created After',
		name: 'createdAfter',
		type: 'dateTime',
		default: '',
		description: 'Only minutes created at or after this time',
		displayOptions: { show: { resource: ['minute'], operation: ['search'] } },
	},
	{
		displayName: 'Created Before',
		name: 'createdBefore',
		type: 'dateTime',
		default: '',
		description: 'Only minutes created before this time',
		displayOptions: { show: { resource: ['minute'], operation: ['search'] } },
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { resource: ['minute'], operation: ['search'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['minute'], operation: ['search'], returnAll: [false] } },
	},
];

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
];

const getTranscriptFields: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		displayOptions: { show: { resource: ['minute'], operation: ['getTranscript'] } },
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
		displayOptions: { show: { resource: ['minute'], operation: ['getTranscript'] } },
		options: [
			{ name: 'Plain Text (.Txt)', value: 'txt' },
			{ name: 'Subtitles (.Srt)', value: 'srt' },
		],
		default: 'txt',
	},
	{
		displayName: 'Include Speakers',
		name: 'includeSpeakers',
		type: 'boolean',
		displayOptions: { show: { resource: ['minute'], operation: ['getTranscript'] } },
		default: true,
		description: 'Whether to name the speaker of each passage',
	},
	{
		displayName: 'Include Timestamps',
		name: 'includeTimestamps',
		type: 'boolean',
		displayOptions: { show: { resource: ['minute'], operation: ['getTranscript'] } },
		default: true,
		description: 'Whether to give the time of each passage',
	},
];

const binaryPropertyField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	required: true,
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	displayOptions: {
		show: { resource: ['minute'], operation: ['getMedia', 'getTranscript'], output: ['file'] },
	},
};

export const minuteFields: INodeProperties[] = [
	minuteField,
	...searchFields,
	...getMediaFields,
	...getTranscriptFields,
	binaryPropertyField,
];
