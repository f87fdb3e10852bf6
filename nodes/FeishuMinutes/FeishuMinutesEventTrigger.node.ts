import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_CLIENT_OPTIONS } from './actions/options';
import { FeishuClient } from './transport/client';
import { setMinuteEvents } from './transport/endpoints';
import { eventProperties } from './trigger/eventProperties';
import { forgetAcceptedEvents, receiveDelivery } from './trigger/events';

/** Starts a workflow when Feishu pushes an event to the app's Request URL: this node's webhook. */
export class FeishuMinutesEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes Event Trigger',
		name: 'feishuMinutesEventTrigger',
		icon: { light: 'file:../../icons/feishu.svg', dark: 'file:../../icons/feishu.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).includes("vc.meeting.all_meeting_ended_v1") ? "On new minute or ended meeting" : "On new minute"}}',
		description: 'Starts the workflow the moment Feishu / Lark pushes a new minute (no polling)',
		defaults: { name: 'Feishu Minutes Event Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'feishuOAuth2Api', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'feishu-minutes' }],
		properties: [
			{
				displayName:
					'In the Feishu developer console: 1) Events & Callbacks → Encryption Strategy: copy the Encrypt Key and Verification Token into the credential; 2) Event Configuration: "Send events to developer server", paste this node\'s Production URL as the Request URL; 3) add the event "Minutes generated" (minutes.minute.generated_v1), and "Meeting ended" (vc.meeting.all_meeting_ended_v1) for Meeting Ended; 4) enable minutes:minutes.basic:read (and vc:record:readonly for meetings) and publish a version. Publishing this workflow turns the event on for the connected user.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...eventProperties,
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return this.getWorkflowStaticData('node').subscribed === true;
			},
			// n8n retries registration: turning the event on twice is harmless
			async create(this: IHookFunctions): Promise<boolean> {
				const client = await FeishuClient.create(this, 'user', DEFAULT_CLIENT_OPTIONS);
				await setMinuteEvents(client, true);
				this.getWorkflowStaticData('node').subscribed = true;
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// this process's memory of accepted IDs goes first, whatever Feishu answers below
				forgetAcceptedEvents(this.getWorkflow().id, this.getNode().name);
				const client = await FeishuClient.create(this, 'user', DEFAULT_CLIENT_OPTIONS);
				await setMinuteEvents(client, false);
				delete this.getWorkflowStaticData('node').subscribed;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery(this);
	}
}
