import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { minuteFields, minuteOperations } from './descriptions/minute.description';
import { runItems } from './runItems';
import { getMedia } from './operations/minute/getMedia.operation';
import { FeishuClient } from './transport/FeishuClient';

const operations = {
	minute: { getMedia },
} as const;

export class FeishuMinutes implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes',
		name: 'feishuMinutes',
		icon: 'file:feishu.svg',
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Get recordings out of Feishu / Lark Minutes (妙记)',
		documentationUrl: 'https://open.feishu.cn/document/minutes-v1/minute-media/get',
		defaults: { name: 'Feishu Minutes' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'feishuApi', required: true }],
		properties: [
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
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as keyof typeof operations;
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = (operations[resource] as Record<string, typeof getMedia> | undefined)?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
		}

		const client = await FeishuClient.create(this);
		return [await runItems(this, (itemIndex) => run.call(this, client, itemIndex))];
	}
}
