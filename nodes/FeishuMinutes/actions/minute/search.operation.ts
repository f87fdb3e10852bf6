import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ENDPOINTS, searchMinutes } from '../../transport/endpoints';
import type { OperationModule, OperationRun } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Search',
	action: 'Search minutes',
	description: 'Find the minutes the connected user can see, by keyword and creation time (User (OAuth2) only)',
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
		description: 'Only minutes created at or after this time',
	},
	{
		displayName: 'Created Before',
		name: 'createdBefore',
		type: 'dateTime',
		default: '',
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
 * Minutes visible to the connected user, by keyword and create-time window: one output item per
 * minute, paged like n8n's list operations (Return All, or a Limit).
 */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const found = await searchMinutes(client, searchBody(this, itemIndex), limit, itemIndex);
	return found.map((minute) => ({
		json: { minuteToken: minute.token, ...minute },
		pairedItem: { item: itemIndex },
	}));
}

function searchBody(context: IExecuteFunctions, itemIndex: number): IDataObject {
	const keyword = String(context.getNodeParameter('keyword', itemIndex, '')).trim();
	const createdAfter = isoTime(context, 'createdAfter', itemIndex);
	const createdBefore = isoTime(context, 'createdBefore', itemIndex);
	const body: IDataObject = {};
	if (keyword) body.query = keyword;
	if (createdAfter || createdBefore) {
		body.filter = {
			create_time: {
				...(createdAfter ? { start_time: createdAfter } : {}),
				...(createdBefore ? { end_time: createdBefore } : {}),
			},
		};
	}
	return body;
}

/** Feishu wants ISO 8601 times with a zone; n8n's date fields may come without one. */
function isoTime(context: IExecuteFunctions, name: string, itemIndex: number): string | undefined {
	const value = context.getNodeParameter(name, itemIndex, '') as string;
	if (!value) return undefined;
	const time = Date.parse(value);
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), `The "${name === 'createdAfter' ? 'Created After' : 'Created Before'}" field is not a date`, {
			itemIndex,
			description: 'Enter a date and time, e.g. 2026-11-24T00:00:00+08:00, or pick one.',
		});
	}
	return new Date(time).toISOString();
}
