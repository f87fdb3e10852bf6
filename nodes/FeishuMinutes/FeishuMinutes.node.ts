import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { minuteFields, minuteOperations } from './descriptions/minute.description';
import { requestOptions } from './descriptions/options.description';
import { get } from './operations/minute/get.operation';
import { getAiNotes } from './operations/minute/getAiNotes.operation';
import { getMedia } from './operations/minute/getMedia.operation';
import { getStatistics } from './operations/minute/getStatistics.operation';
import { getTranscript } from './operations/minute/getTranscript.operation';
import { search } from './operations/minute/search.operation';
import { type Operation, readOptions } from './operations/shared';
import { runItems } from './runItems';
import { type Authentication, DEFAULT_CLIENT_OPTIONS, FeishuClient } from './transport/FeishuClient';
import { Semaphore } from './transport/RateLimiter';

const operations: Record<string, Record<string, Operation>> = {
	minute: { get, getAiNotes, getMedia, getStatistics, getTranscript, search },
};

export class FeishuMinutes implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes',
		name: 'feishuMinutes',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Get recordings, transcripts and details out of Feishu / Lark Minutes (妙记)',
		documentationUrl: 'https://open.feishu.cn/document/minutes-v1/minute-media/get',
		defaults: { name: 'Feishu Minutes' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'feishuApi', required: true, displayOptions: { show: { authentication: ['tenantToken'] } } },
			{ name: 'feishuOAuth2Api', required: true, displayOptions: { show: { authentication: ['userOAuth2'] } } },
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'App (Tenant Token)',
						value: 'tenantToken',
						description: 'The app reads the minutes shared with it (App ID + App Secret)',
					},
					{
						name: 'User (OAuth2)',
						value: 'userOAuth2',
						description: 'Read the minutes of the user who connected the credential',
					},
				],
				default: 'tenantToken',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Minute', value: 'minute' }],
				default: 'minute',
			},
			...minuteOperations,
			...minuteFields,
			requestOptions,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = operations[resource]?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
		}

		// Pacing and download slots are shared by all items, so they are read once, from the first item.
		const options = readOptions(this, 0);
		const authentication = this.getNodeParameter('authentication', 0, 'tenantToken') as Authentication;
		const client = await FeishuClient.create(this, authentication, {
			requestsPerSecond: options.requestsPerSecond ?? DEFAULT_CLIENT_OPTIONS.requestsPerSecond,
			maxRetries: options.maxRetries ?? DEFAULT_CLIENT_OPTIONS.maxRetries,
			timeoutMs: (options.timeoutSeconds ?? DEFAULT_CLIENT_OPTIONS.timeoutMs / 1000) * 1000,
		});
		const downloads = new Semaphore(options.parallelDownloads ?? 3);
		return [
			await runItems(this, async (itemIndex) => await run.call(this, { client, downloads, authentication }, itemIndex)),
		];
	}
}
