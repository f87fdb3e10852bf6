import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type OperationRun, readMinuteToken, readReadyWait } from '../shared';

/** Feishu's AI products for a minute: summary, chapters and to-dos (the "artifacts" endpoint). */
export async function getAiNotes(
	this: IExecuteFunctions,
	{ client }: OperationRun,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const minuteToken = readMinuteToken(this, itemIndex);
	const data = await client.request<IDataObject>(
		{ method: 'GET', path: `/open-apis/minutes/v1/minutes/${minuteToken}/artifacts` },
		itemIndex,
		readReadyWait(this, itemIndex),
	);
	return { json: { minuteToken, ...data }, pairedItem: { item: itemIndex } };
}
