import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { pollNewMinutes } from './trigger/poll';

/** Its parameters' defaults live here alone: n8n fills them in before the poll reads them. */
export class FeishuMinutesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes Trigger',
		name: 'feishuMinutesTrigger',
		icon: { light: 'file:../../icons/feishu.svg', dark: 'file:../../icons/feishu.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"New minutes" + ($parameter["keyword"] ? ": " + $parameter["keyword"] : "")}}',
		description: 'Starts the workflow when the connected user has new minutes in Feishu / Lark Minutes',
		defaults: { name: 'Feishu Minutes Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'feishuOAuth2Api', required: true, displayOptions: { show: { authentication: ['userOAuth2'] } } },
			{ name: 'feishuApi', required: true, displayOptions: { show: { authentication: ['tenantToken'] } } },
		],
		properties: [
			{
				displayName:
					'Emits one item per minute created since the last check, each once. The credential needs the scopes minutes:minutes.search:read, minutes:minutes:readonly and (to wait for media) minutes:minutes.media:export.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'User (OAuth2)', value: 'userOAuth2', description: 'New minutes the connected user can see' },
					{
						name: 'App (Tenant Token)',
						value: 'tenantToken',
						description: 'New minutes the app can see (custom apps only: Feishu takes app tokens for search from those)',
					},
				],
				default: 'userOAuth2',
			},
			{
				displayName: 'Keyword',
				name: 'keyword',
				type: 'string',
				default: '',
				description: 'Only minutes matching these words; empty for all',
			},
			{
				displayName: 'Start From',
				name: 'startFrom',
				type: 'options',
				options: [
					{ name: 'Now', value: 'now', description: 'Only minutes created after activation' },
					{ name: 'A Date', value: 'date', description: 'Also minutes created since a past date' },
				],
				default: 'now',
			},
			{
				displayName: 'Start Time',
				name: 'startTime',
				type: 'dateTime',
				required: true,
				default: '',
				displayOptions: { show: { startFrom: ['date'] } },
			},
			{
				displayName: 'Wait Until Media Is Ready',
				name: 'waitUntilReady',
				type: 'boolean',
				default: true,
				description:
					'Whether to hold back a minute Feishu is still transcribing (2091003) until its recording can be downloaded',
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollNewMinutes(this);
	}
}
