import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ENDPOINTS, searchMinutes } from '../../transport/endpoints';
import type { OperationModule, OperationRun } from '../operation';

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
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const endpoint = ENDPOINTS.search;

export const options: OperationModule['options'] = [];

/**
 * Minutes the credential's user (or app) can see, by keyword and create-time window, newest first:
 * one output item per minute, paged like n8n's list operations (Return All, or a Limit).
 */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : readLimit(this, itemIndex);
	const keyword = String(this.getNodeParameter('keyword', itemIndex, '')).trim();
	if (keyword.length > 50) {
		throw new NodeOperationError(this.getNode(), 'The "Keyword" field is longer than 50 characters', {
			itemIndex,
			description: 'Feishu searches with at most 50 characters. Shorten the keyword.',
		});
	}
	const to = timeField(this, 'createdBefore', itemIndex) ?? Date.now() + CLOCK_MARGIN_MS;
	const from = timeField(this, 'createdAfter', itemIndex) ?? to - DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000;
	if (from >= to) {
		throw new NodeOperationError(this.getNode(), '"Created After" is not before "Created Before"', {
			itemIndex,
			description: 'Pick a Created After time earlier than Created Before, or leave one of them empty.',
		});
	}
	const found = await searchMinutes(client, { keyword, from, to }, limit, itemIndex);
	return found.map((minute) => ({
		json: { minuteToken: minute.token, ...minute },
		pairedItem: { item: itemIndex },
	}));
}

function readLimit(context: IExecuteFunctions, itemIndex: number): number {
	const limit = context.getNodeParameter('limit', itemIndex, 50) as number;
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(context.getNode(), 'The "Limit" field must be a whole number of at least 1', { itemIndex });
	}
	return limit;
}

/** n8n's date fields may come without a zone, or as anything through an expression. */
function timeField(context: IExecuteFunctions, name: 'createdAfter' | 'createdBefore', itemIndex: number): number | undefined {
	const value = context.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === '' || value === undefined || value === null) return undefined;
	// a Luxon DateTime from an expression prints as ISO 8601
	const time = new Date(typeof value === 'number' ? value : String(value)).getTime();
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), `The "${name === 'createdAfter' ? 'Created After' : 'Created Before'}" field is not a date`, {
			itemIndex,
			description: 'Enter a date and time, e.g. 2026-11-24T00:00:00+08:00, or pick one.',
		});
	}
	return time;
}
