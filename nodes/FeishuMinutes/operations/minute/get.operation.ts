import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationRun, readMinuteToken, readReadyWait } from '../shared';

/** The minute's metadata: title, owner, create time, duration, URL, cover (as Feishu names them). */
export async function get(
	this: IExecuteFunctions,
	{ client }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const data = await client.request<{ minute?: IDataObject }>(
		{ method: 'GET', path: `/open-apis/minutes/v1/minutes/${minuteToken}` },
		itemIndex,
		readReadyWait(this, itemIndex),
	);
	return { json: { minuteToken, ...(data.minute ?? {}) }, pairedItem: { item: itemIndex } };
}
