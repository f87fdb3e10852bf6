import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Semaphore } from '../helpers/Semaphore';
import { MINUTE_FIELD_HINT, MINUTES_LINK, parseMinute } from '../helpers/minuteInput';
import type { BinaryStore } from '../transport/binaryStore';
import type { FeishuClient, ReadyWait } from '../transport/client';
import type { Endpoint } from '../transport/endpoints';
import { MEETING_REF_PATTERN, minuteTokenOfMeeting, readMeeting } from './meeting/meetingInput';
import { readOptions, type RequestOptionName } from './options';

/** What one execution's items share: the client (token, rate budgets), the download slots, the binary store. */
export interface OperationRun {
	client: FeishuClient;
	downloads: Semaphore;
	store: BinaryStore;
	/** Run by an AI agent (the "Feishu Minutes Tool"): outputs are compact, so one call never floods a model's context. */
	asTool: boolean;
}

/**
 * Everything about one operation, in its own module. The index derives the Operation list, the
 * fields, the router and the OAuth2 scopes from these; the operation's value is its key there.
 */
export interface OperationModule {
	/** How it reads in the Operation list. */
	option: Required<Pick<INodePropertyOptions, 'name' | 'action' | 'description'>>;
	/** Its own fields, without displayOptions: the index shows them for this operation only. */
	fields: INodeProperties[];
	/** The Feishu endpoint it calls: the scopes, identities and rate budget it draws on. */
	endpoint: Endpoint;
	/** Endpoints it calls for some inputs or options (a meeting number, a calendar event, details). */
	alsoCalls?: readonly Endpoint[];
	/** Options from the shared collection that only some operations use. */
	options: RequestOptionName[];
	/** One output item per input item, or several (Search). */
	execute(this: IExecuteFunctions, run: OperationRun, itemIndex: number): Promise<INodeExecutionData | INodeExecutionData[]>;
}

/**
 * The Minute field. Version 1 (saved workflows) keeps a plain text field; version 2 picks the minute
 * like n8n's own nodes: From List (a search), By URL, By ID (the token), or By Meeting (its recording's
 * minute). Both accept a link or a token, also through an expression, and both are checked the same way
 * before any request.
 */
export const minuteFields: INodeProperties[] = [
	{
		displayName: 'Minute',
		name: 'minute',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://sample.feishu.cn/minutes/obcnq3b9jl72l83w4f149w9c',
		description: MINUTE_FIELD_HINT,
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'Minute',
		name: 'minute',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The minute: pick one of the newest, paste its link or token, or give the meeting it was recorded in',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a minute…',
				typeOptions: { searchListMethod: 'searchMinutes', searchable: true },
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://sample.feishu.cn/minutes/obcnq3b9jl72l83w4f149w9c',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: MINUTES_LINK,
							errorMessage: 'Not a Minutes link: https://<tenant>.feishu.cn/minutes/<24-character token> (or larksuite.com)',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'obcnq3b9jl72l83w4f149w9c',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*[A-Za-z0-9]{24}\\s*$', errorMessage: 'Not a 24-character minute token' } },
				],
			},
			{
				displayName: 'By Meeting',
				name: 'meeting',
				type: 'string',
				hint: 'The meeting\'s recording is looked up first (one more request, scope vc:record:readonly)',
				placeholder: '6911188411934433028 or https://vc.feishu.cn/j/337736498',
				validation: [
					{ type: 'regex', properties: { regex: MEETING_REF_PATTERN, errorMessage: 'Not a meeting ID, 9-digit meeting number or meeting link' } },
				],
			},
		],
	},
];

/** The binary field a file goes to (shown when Output is a file). */
export const binaryPropertyField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	required: true,
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	displayOptions: { show: { output: ['file'] } },
};

/**
 * The minute token the Minute field names (text, or a resource locator's value); bad input is refused
 * before any request. By Meeting looks the meeting's recording up first, waiting for it with Wait Until Ready.
 */
export async function minuteTokenOf(context: IExecuteFunctions, client: FeishuClient, itemIndex: number): Promise<string> {
	const raw = context.getNodeParameter('minute', itemIndex) as unknown;
	const locator = raw && typeof raw === 'object' && (raw as { __rl?: unknown }).__rl === true;
	if (locator && (raw as { mode?: unknown }).mode === 'meeting') {
		return await minuteTokenOfMeeting(client, readMeeting(context, 'minute', itemIndex, 'Minute'), itemIndex, readReadyWait(context, itemIndex));
	}
	const parsed = parseMinute(locator ? (raw as { value?: unknown }).value : raw);
	if ('token' in parsed) return parsed.token;
	throw new NodeOperationError(context.getNode(), parsed.problem, {
		itemIndex,
		description: MINUTE_FIELD_HINT,
	});
}

/** The item's "Wait Until Ready" settings, if it is on. */
export function readReadyWait(context: IExecuteFunctions, itemIndex: number): ReadyWait | undefined {
	const options = readOptions(context, itemIndex);
	if (!options.waitUntilReady) return undefined;
	return { timeoutMs: options.readyTimeoutMinutes * 60_000, pollIntervalMs: options.pollIntervalSeconds * 1000 };
}

export function readBinaryPropertyName(context: IExecuteFunctions, itemIndex: number): string {
	const name = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	if (name === '') {
		throw new NodeOperationError(context.getNode(), 'The "Put Output File in Field" field is empty', {
			itemIndex,
			description: 'Enter the name of the binary field for the file, e.g. data',
		});
	}
	return name;
}
