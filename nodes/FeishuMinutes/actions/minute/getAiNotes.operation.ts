import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ENDPOINTS, getArtifacts } from '../../transport/endpoints';
import { compactNotes } from '../toolOutput';
import { minuteFields, type OperationModule, type OperationRun, minuteTokenOf, readReadyWait } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Get AI Notes',
	action: 'Get the AI notes (summary, chapters, to-dos) of a minute',
	description: 'Get Feishu\'s AI summary, chapters and to-dos of a minute, given its 24-character token or Minutes link',
};

export const fields = [...minuteFields];

export const endpoint = ENDPOINTS.artifacts;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** Feishu's AI products for a minute: summary, chapters and to-dos (the "artifacts" endpoint). */
export async function execute(this: IExecuteFunctions, { client, asTool }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const minuteToken = await minuteTokenOf(this, client, itemIndex);
	const notes = await getArtifacts(client, minuteToken, itemIndex, readReadyWait(this, itemIndex));
	return { json: asTool ? compactNotes(minuteToken, notes) : { minuteToken, ...notes }, pairedItem: { item: itemIndex } };
}
