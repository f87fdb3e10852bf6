import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { searchMinutes } from '../../transport/searchMinutes';
import type { OperationRun } from '../shared';

/**
 * Minutes visible to the connected user, by keyword and create-time window: one output item per
 * minute, paged like n8n's list operations (Return All, or a Limit).
 */
export async function search(
	this: IExecuteFunctions,
	{ client, authentication }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	if (authentication !== 'userOAuth2') {
		throw new NodeOperationError(this.getNode(), 'Search needs User (OAuth2) authentication', {
			itemIndex,
			description:
				'Feishu only searches minutes on behalf of a user. Set Authentication to "User (OAuth2)" and pick a Feishu OAuth2 API credential (scope minutes:minutes.search:read).',
		});
	}
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const body = searchBody(this, itemIndex);

	const found = await searchMinutes(client, body, limit, itemIndex);
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
