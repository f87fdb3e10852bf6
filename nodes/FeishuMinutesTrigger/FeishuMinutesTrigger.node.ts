import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { FeishuClient } from '../FeishuMinutes/transport/FeishuClient';
import { NOT_READY_CODE } from '../FeishuMinutes/transport/errors';
import { searchMinutes } from '../FeishuMinutes/transport/searchMinutes';

/** Minutes can show up in search a little after they are created: each poll looks back this far. */
const LOOK_BACK_MS = 10 * 60 * 1000;

/** What the trigger remembers between polls (n8n keeps it in the workflow's static data). */
interface PollState {
	/** Minutes created from here on count (activation time, or the chosen start time). */
	startedAt?: string;
	/** Where the next search starts (less the look-back). */
	since?: string;
	/** Emitted minutes still inside the look-back window, with their create time, so none is emitted twice. */
	seen?: Record<string, number>;
	/** Found but still being transcribed: checked again on the next poll. */
	pending?: string[];
}

export class FeishuMinutesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Minutes Trigger',
		name: 'feishuMinutesTrigger',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
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
		const state = this.getWorkflowStaticData('node') as PollState;
		const manual = this.getMode() === 'manual';
		const pollStartedAt = Date.now();
		if (!state.since && !manual) {
			state.startedAt = startTime(this) ?? new Date(pollStartedAt).toISOString();
			state.since = state.startedAt;
			state.seen = {};
			state.pending = [];
		}
		// In the editor ("Fetch test event"): the newest minute of the last week, remembering nothing.
		const since = manual ? pollStartedAt - 7 * 24 * 3600 * 1000 : Date.parse(state.since!);
		const startedAt = manual ? since : Date.parse(state.startedAt ?? state.since!);

		const client = await FeishuClient.create(this, 'userOAuth2');
		const keyword = String(this.getNodeParameter('keyword', '')).trim();
		const found = await searchMinutes(
			client,
			{
				...(keyword ? { query: keyword } : {}),
				filter: { create_time: { start_time: new Date(since - LOOK_BACK_MS).toISOString() } },
			},
			manual ? 30 : Infinity,
			0,
		);

		const seen = manual ? {} : (state.seen ?? {});
		const candidates = [...new Set([...(manual ? [] : (state.pending ?? [])), ...found.map((item) => String(item.token))])]
			.filter((token) => token && !(token in seen));
		const waitUntilReady = this.getNodeParameter('waitUntilReady', true) as boolean;

		const emitted: IDataObject[] = [];
		const pending: string[] = [];
		for (const token of candidates) {
			const minute = await minuteDetails(client, token);
			const createdAt = Number(minute.create_time);
			// the search looks back a little: anything created before the start was there before
			if (Number.isFinite(createdAt) && createdAt < startedAt) {
				seen[token] = createdAt;
				continue;
			}
			if (waitUntilReady && !(await mediaReady(client, token))) {
				pending.push(token);
				continue;
			}
			emitted.push({ minuteToken: token, ...minute });
			if (manual) break;
		}
		emitted.sort((a, b) => Number(a.create_time) - Number(b.create_time));

		if (!manual) {
			for (const minute of emitted) seen[String(minute.minuteToken)] = Number(minute.create_time) || pollStartedAt;
			const nextSince = Math.max(since, pollStartedAt);
			// forget what the next look-back can no longer find
			state.seen = Object.fromEntries(
				Object.entries(seen).filter(([, createdAt]) => createdAt >= nextSince - 2 * LOOK_BACK_MS),
			);
			state.pending = pending;
			state.since = new Date(nextSince).toISOString();
		}
		return emitted.length ? [this.helpers.returnJsonArray(emitted)] : null;
	}
}

function startTime(context: IPollFunctions): string | undefined {
	if (context.getNodeParameter('startFrom', 'now') !== 'date') return undefined;
	const value = context.getNodeParameter('startTime', '') as string;
	const time = Date.parse(value);
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), 'The "Start Time" field is not a date', {
			description: 'Pick the date and time from which minutes count as new, or set Start From to Now.',
		});
	}
	return new Date(time).toISOString();
}

async function minuteDetails(client: FeishuClient, token: string): Promise<IDataObject> {
	const data = await client.request<{ minute?: IDataObject }>(
		{ method: 'GET', path: `/open-apis/minutes/v1/minutes/${encodeURIComponent(token)}` },
		0,
	);
	return data.minute ?? {};
}

/** Whether the recording can be downloaded yet; 2091003 means Feishu is still transcribing. */
async function mediaReady(client: FeishuClient, token: string): Promise<boolean> {
	try {
		await client.request({ method: 'GET', path: `/open-apis/minutes/v1/minutes/${encodeURIComponent(token)}/media` }, 0);
		return true;
	} catch (error) {
		if (error instanceof NodeApiError && error.context.feishuCode === NOT_READY_CODE) return false;
		throw new NodeApiError(client.node, error as JsonObject);
	}
}
