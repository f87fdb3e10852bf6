import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ENDPOINTS, getMinute } from '../../transport/endpoints';
import { minuteFields, type OperationModule, type OperationRun, minuteTokenOf, readReadyWait } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Get',
	action: 'Get a minute',
	description: 'Get a minute\'s title, owner, create time, duration, URL and cover',
};

export const fields = [...minuteFields];

export const endpoint = ENDPOINTS.minute;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** The minute's metadata: title, owner, create time, duration, URL, cover (as Feishu names them). */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const minuteToken = await minuteTokenOf(this, client, itemIndex);
	const minute = await getMinute(client, minuteToken, itemIndex, readReadyWait(this, itemIndex));
	return { json: { minuteToken, ...minute }, pairedItem: { item: itemIndex } };
}
