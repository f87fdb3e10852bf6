import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ENDPOINTS, getArtifacts } from '../../transport/endpoints';
import { minuteFields, type OperationModule, type OperationRun, minuteTokenOf, readReadyWait } from '../operation';

export const option: OperationModule['option'] = {
	name: 'Get AI Notes',
	action: 'Get the AI notes of a minute',
	description: 'Get Feishu\'s AI summary, chapters and to-dos of a minute',
};

export const fields = [...minuteFields];

export const endpoint = ENDPOINTS.artifacts;

export const options: OperationModule['options'] = ['waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** Feishu's AI products for a minute: summary, chapters and to-dos (the "artifacts" endpoint). */
export async function execute(this: IExecuteFunctions, { client }: OperationRun, itemIndex: number): Promise<INodeExecutionData> {
	const minuteToken = await minuteTokenOf(this, client, itemIndex);
	const notes = await getArtifacts(client, minuteToken, itemIndex, readReadyWait(this, itemIndex));
	return { json: { minuteToken, ...notes }, pairedItem: { item: itemIndex } };
}
