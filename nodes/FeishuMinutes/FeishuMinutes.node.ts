import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperties, subtitleExpression } from './actions';
import { searchMinutesList } from './actions/listSearch';
import { router } from './actions/router';

export class FeishuMinutes implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes',
		name: 'feishuMinutes',
		icon: { light: 'file:../../icons/feishu.svg', dark: 'file:../../icons/feishu.dark.svg' },
		group: ['input'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: subtitleExpression(),
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
			...resourceProperties(),
		],
	};

	methods = { listSearch: { searchMinutes: searchMinutesList } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
