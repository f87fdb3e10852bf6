import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ENDPOINTS, searchMinutes } from '../../transport/endpoints';
import type { OperationModule, OperationRun } from '../operation';
import { readKeyword, readLimit, readWindow, returnAllFields } from '../searchInput';

/** Without Created After, the window reaches this far back from Created Before. */
const DEFAULT_WINDOW_DAYS = 30;

/** Without Created Before, the window ends this far past now: Feishu's clock may run ahead of n8n's. */
const CLOCK_MARGIN_MS = 20 * 60 * 1000;

export const option: OperationModule['option'] = {
	name: 'Search',
	action: 'Search minutes',
	description: 'Find minutes by keyword and creation time, newest first',
};

export const fields: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		description: 'Words in the minute\'s title or content (at most 50 characters); empty finds all',
	},
	{
		displayName: 'Created After',
		name: 'createdAfter',
		type: 'dateTime',
		default: '',
		hint: 'Empty: 30 days before Created Before',
		description: 'Only minutes created at or after this time. Longer windows are searched a month at a time.',
	},
	{
		displayName: 'Created Before',
		name: 'createdBefore',
		type: 'dateTime',
		default: '',
		hint: 'Empty: now',
		description: 'Only minutes created before this time',
	},
	...returnAllFields,
];

export const endpoint = ENDPOINTS.search;

export const options: OperationModule['options'] = [];

/**
 * Minutes the credential's user (or app) can see, by keyword and create-time window, newest first:
 * one output item per minute, paged like n8n's list operations (Return All, or a Limit).
 */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit(this, itemIndex);
	const keyword = readKeyword(this, itemIndex);
	const { from, to } = readWindow(
		this,
		{ name: 'createdAfter', label: 'Created After' },
		{ name: 'createdBefore', label: 'Created Before' },
		{ windowMs: DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000, marginMs: CLOCK_MARGIN_MS },
		itemIndex,
	);
	const found = await searchMinutes(client, { keyword, from, to }, limit, itemIndex);
	return found.map((minute) => ({
		json: { minuteToken: minute.token, ...minute },
		pairedItem: { item: itemIndex },
	}));
}
