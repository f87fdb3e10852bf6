import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationRun, readMinuteToken, readReadyWait } from '../shared';

/** View counts and who viewed the minute when. */
export async function getStatistics(
	this: IExecuteFunctions,
	{ client }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const data = await client.request<{ statistics?: IDataObject }>(
		{ method: 'GET', path: `/open-apis/minutes/v1/minutes/${minuteToken}/statistics` },
		itemIndex,
		readReadyWait(this, itemIndex),
	);
	return { json: { minuteToken, ...(data.statistics ?? {}) }, pairedItem: { item: itemIndex } };
}
