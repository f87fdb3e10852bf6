import type { INodeType, INodeTypeDescription, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CLIENT_OPTIONS } from './actions/options';
import { readConnectionEvent } from './helpers/events';
import type { EndpointRefusal, SocketLike } from './longConnection/config';
import { LongConnection } from './longConnection/connection';
import { requestEndpoint } from './longConnection/endpoint';
import { FeishuClient } from './transport/client';
import { MINUTE_GENERATED, setMinuteEvents } from './transport/endpoints';
import { eventProperties } from './trigger/eventProperties';
import { forgetAcceptedEvents, itemForEvent } from './trigger/events';

/**
 * Starts a workflow for each event Feishu sends over the app's long connection: a WebSocket n8n opens to Feishu,
 * so n8n needs no public URL. A sibling of the Event Trigger rather than a mode of it: n8n runs a node type with
 * webhooks as a webhook in test runs, so one type cannot be both.
 */
export class FeishuMinutesLongConnectionTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes Long Connection Trigger',
		name: 'feishuMinutesLongConnectionTrigger',
		icon: { light: 'file:../../icons/feishu.svg', dark: 'file:../../icons/feishu.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Long connection: no public URL"}}',
		description: 'Starts the workflow when Feishu / Lark pushes a new minute or an ended meeting over the app\'s long connection (no public URL needed)',
		defaults: { name: 'Feishu Minutes Long Connection Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'feishuOAuth2Api', required: true }],
		properties: [
			{
				displayName:
					'In the Feishu developer console (custom apps only): Events & Callbacks → Event Configuration → "Receive events through persistent connection" (Feishu saves it only while a connection is open: publish this workflow first); add the events you pick below; enable minutes:minutes.basic:read (and vc:record:readonly for meetings) and publish a version. Feishu gives each event to one connection of the app: use one such trigger per app.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...eventProperties,
		],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const node = this.getNode();
		if (typeof WebSocket === 'undefined') {
			throw new NodeOperationError(node, 'The Node.js running n8n has no WebSocket client', {
				description: 'The long connection uses the WebSocket client built into Node.js 22 and newer. Run n8n on Node.js 22 or newer, or use the Feishu Minutes Event Trigger (Request URL).',
			});
		}
		const credentials = await this.getCredentials('feishuOAuth2Api');
		const appId = String(credentials.clientId ?? '');
		const events = this.getNodeParameter('events', []) as string[];
		if (events.length === 0) throw new NodeOperationError(node, 'No event is selected', { description: 'Pick at least one event under Events.' });
		// Feishu sends a user's new minutes only once they are turned on for that user (harmless to repeat)
		if (events.includes(MINUTE_GENERATED)) await setMinuteEvents(await FeishuClient.create(this, 'user', DEFAULT_CLIENT_OPTIONS), true);

		const closing = new AbortController();
		const handle = async (payload: Uint8Array) => {
			const delivery = readConnectionEvent(payload, appId, Date.now());
			if (delivery.kind !== 'event') {
				if (delivery.kind === 'refused') this.logger.warn(`Feishu Minutes Long Connection Trigger: ignored an event: ${delivery.reason}`);
				return;
			}
			const item = await itemForEvent(this, delivery, closing.signal);
			if (item && !closing.signal.aborted) this.emit([this.helpers.returnJsonArray([item])]);
		};
		const fatal = (refusal: EndpointRefusal) => new NodeOperationError(node, refusal.message, { description: refusal.description });
		const connection = new LongConnection({
			fetchEndpoint: async () => await requestEndpoint(this, credentials),
			openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
			onEvent: (payload) => {
				handle(payload).catch((error: Error) => this.logger.warn(`Feishu Minutes Long Connection Trigger: an event failed: ${error.message}`));
			},
			// the connection has stopped for good: n8n shows the error on the workflow and activates it again with back-off
			onFatal: (refusal) => this.emitError(fatal(refusal)),
			log: this.logger,
		});
		const refusal = await connection.start();
		if (refusal) throw fatal(refusal);

		return {
			// n8n closes on unpublish, on shutdown and before re-activating for a changed credential
			closeFunction: async () => {
				closing.abort();
				await connection.close();
				// static data keeps the accepted event IDs; this process's copy goes
				forgetAcceptedEvents(this.getWorkflow().id, node.name);
			},
			// a test run listens on the same connection until the first event arrives
			manualTriggerFunction: async () => undefined,
		};
	}
}
