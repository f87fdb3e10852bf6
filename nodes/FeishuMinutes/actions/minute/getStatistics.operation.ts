import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ENDPOINTS, getStatistics } from '../../transport/endpoints';
import { minuteFields, type OperationModule, type OperationRun, minuteTokenOf, readReadyWait } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Get Statistics',
	action: 'Get the statistics of a minute',
	description: 'Get how often and by whom a minute was viewed',
};

export const fields = [...minuteFields];

export const endpoint = ENDPOINTS.statistics;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** View counts and who viewed the minute when. */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const minuteToken = await minuteTokenOf(this, client, itemIndex);
	const statistics = await getStatistics(client, minuteToken, itemIndex, readReadyWait(this, itemIndex));
	return { json: { minuteToken, ...statistics }, pairedItem: { item: itemIndex } };
}
