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
		credentials: [{ name: 'feishuOAuth2Api', required: true }],
		properties: [
			{
				displayName:
					'Emits one item per minute created since the last check, each once. Searching minutes needs a user (OAuth2) credential with the scope minutes:minutes.search:read.',
				name: 'notice',
				type: 'notice',
				default: '',
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
