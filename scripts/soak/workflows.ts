/**
 * The soak's three workflows, as a user would build them, each ending in an HTTP Request that tells the
 * soak's sink what happened to each minute (which workflow, which execution, each step ok or its error).
 *   - pushed: Event Trigger (user) → Redis Incr + If (one run per event ID across processes, the README's
 *     recipe) → Get Media (file) → Get Transcript → sink
 *   - polled: polling Trigger (app) → Get Media (file) → Get Transcript → sink
 *   - batch: every 10 s (a simulated hour) → Search (user, the last minute) → Get AI Notes → sink
 */
import type { IWorkflowBase } from 'n8n-workflow';

import { PACKAGE_NAME } from '../../test/e2e/n8n';

export const USER_CREDENTIAL = { id: 'soakUserOAuth0001', name: 'Feishu user (soak)' };
export const APP_CREDENTIAL = { id: 'soakAppTenant0001', name: 'Feishu app (soak)' };
export const REDIS_CREDENTIAL = { id: 'soakRedis00000001', name: 'Redis (soak)' };
export const EVENT_WEBHOOK_ID = '5e0c2b7e-3d1a-4c52-9e1f-feishusoak01';

type Node = IWorkflowBase['nodes'][number];

const user = { feishuOAuth2Api: USER_CREDENTIAL };
const app = { feishuApi: APP_CREDENTIAL };

function minutesNode(name: string, x: number, parameters: Record<string, unknown>, credentials: Node['credentials']): Node {
	return {
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		type: `${PACKAGE_NAME}.feishuMinutes`,
		typeVersion: 1,
		position: [x, 0],
		parameters: { resource: 'minute', ...parameters },
		credentials,
		onError: 'continueRegularOutput',
	} as Node;
}

/** Posts one line per item to the sink; `fields` are n8n expressions (without the braces). */
function sinkNode(sinkUrl: string, x: number, fields: Record<string, string>): Node {
	const json = Object.entries(fields)
		.map(([key, expression]) => `${JSON.stringify(key)}: ${expression}`)
		.join(', ');
	return {
		id: 'sink',
		name: 'Sink',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [x, 0],
		parameters: { method: 'POST', url: sinkUrl, sendBody: true, specifyBody: 'json', jsonBody: `={{ JSON.stringify({ ${json} }) }}`, options: {} },
		retryOnFail: true,
		maxTries: 5,
	} as unknown as Node;
}

function chain(names: string[]): IWorkflowBase['connections'] {
	const connections: IWorkflowBase['connections'] = {};
	for (let i = 0; i + 1 < names.length; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

function workflow(id: string, name: string, nodes: Node[]): IWorkflowBase {
	return {
		id,
		name,
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: { executionOrder: 'v1' },
		nodes,
		connections: chain(nodes.map((node) => node.name)),
	} as unknown as IWorkflowBase;
}

/**
 * Copies of one event that reach two n8n processes at the same instant both start a run: nothing a
 * trigger can reach from its webhook is shared and atomic (README, "Event copies in queue mode"). An
 * atomic Redis INCR per event ID, kept a day, lets the first run through and stops the others.
 */
function oncePerEvent(trigger: Node): Node[] {
	return [
		{
			id: 'once-per-event',
			name: 'Count Event',
			type: 'n8n-nodes-base.redis',
			typeVersion: 1,
			position: [150, 0],
			parameters: { operation: 'incr', key: `=feishu-event:{{ $('${trigger.name}').item.json.eventId }}`, expire: true, ttl: 86400 },
			credentials: { redis: REDIS_CREDENTIAL },
		} as unknown as Node,
		{
			id: 'first-copy',
			name: 'First Copy',
			type: 'n8n-nodes-base.filter',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
					conditions: [{ id: 'first', leftValue: '={{ Object.values($json)[0] }}', rightValue: 1, operator: { type: 'number', operation: 'equals' } }],
					combinator: 'and',
				},
				options: {},
			},
		} as unknown as Node,
	];
}

/** Get Media (file) and Get Transcript of the trigger's minute, then the sink. */
function perMinute(trigger: Node, identity: 'userOAuth2' | 'tenantToken', sinkUrl: string, label: string, guard: Node[] = []): Node[] {
	const credentials = identity === 'userOAuth2' ? user : app;
	const minute = `={{ $('${trigger.name}').item.json.minuteToken }}`;
	return [
		trigger,
		...guard,
		// a stalled download is given up after 10 s and fetched again
		minutesNode('Get Media', 300, { authentication: identity, operation: 'getMedia', minute, output: 'file', options: { timeoutSeconds: 10 } }, credentials),
		minutesNode('Get Transcript', 600, { authentication: identity, operation: 'getTranscript', minute }, credentials),
		sinkNode(sinkUrl, 900, {
			workflow: JSON.stringify(label),
			minute: `$('${trigger.name}').item.json.minuteToken`,
			execution: '$execution.id',
			media: `$('Get Media').item.json.error ?? ($('Get Media').item.binary ? 'ok' : 'no file')`,
			transcript: `$('Get Transcript').item.json.error ?? 'ok'`,
		}),
	];
}

export function soakWorkflows(sinkUrl: string): IWorkflowBase[] {
	const eventTrigger = {
		id: 'event-trigger',
		name: 'Event Trigger',
		type: `${PACKAGE_NAME}.feishuMinutesEventTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId: EVENT_WEBHOOK_ID,
		parameters: { events: ['minutes.minute.generated_v1'], includeDetails: true, waitUntilReady: false },
		credentials: user,
	} as unknown as Node;
	const pollTrigger = {
		id: 'poll-trigger',
		name: 'Poll Trigger',
		type: `${PACKAGE_NAME}.feishuMinutesTrigger`,
		typeVersion: 1,
		position: [0, 0],
		// n8n polls at most once a minute: six Feishu hours on the soak's clock
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, authentication: 'tenantToken', startFrom: 'now', waitUntilReady: false },
		credentials: app,
	} as unknown as Node;
	const schedule = {
		id: 'schedule',
		name: 'Every Simulated Hour',
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [0, 0],
		parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 10 }] } },
	} as unknown as Node;
	return [
		workflow('soakPushed000001', 'soak: pushed minute', perMinute(eventTrigger, 'userOAuth2', sinkUrl, 'pushed', oncePerEvent(eventTrigger))),
		workflow('soakPolled000001', 'soak: polled minute', perMinute(pollTrigger, 'tenantToken', sinkUrl, 'polled')),
		workflow('soakBatch0000001', 'soak: hourly batch', [
			schedule,
			minutesNode(
				'Search',
				300,
				{ authentication: 'userOAuth2', operation: 'search', createdAfter: '={{ $now.minus({ minutes: 1 }).toISO() }}', createdBefore: '={{ $now.toISO() }}', returnAll: true },
				user,
			),
			minutesNode('Get AI Notes', 600, { authentication: 'userOAuth2', operation: 'getAiNotes', minute: '={{ $json.minuteToken }}' }, user),
			sinkNode(sinkUrl, 900, {
				workflow: '"batch"',
				minute: `$('Search').item.json.minuteToken ?? null`,
				execution: '$execution.id',
				notes: `$('Search').item.json.error ?? $json.error ?? 'ok'`,
			}),
		]),
	];
}
