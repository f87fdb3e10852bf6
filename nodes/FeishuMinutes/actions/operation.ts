import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Semaphore } from '../helpers/Semaphore';
import { MINUTE_FIELD_HINT, parseMinute } from '../helpers/minuteInput';
import type { BinaryStore } from '../transport/binaryStore';
import type { FeishuClient, ReadyWait } from '../transport/client';
import type { Endpoint } from '../transport/endpoints';
import { readOptions, type RequestOptionName } from './options';

/** What one execution's items share: the client (token, rate budgets), the download slots, the binary store. */
export interface OperationRun {
	client: FeishuClient;
	downloads: Semaphore;
	store: BinaryStore;
}

/**
 * Everything about one operation, in its own module. The index derives the Operation list, the
 * fields, the router and the OAuth2 scopes from these; the operation's value is its key there.
 */
export interface OperationModule {
	/** How it reads in the Operation list. */
	option: Required<Pick<INodePropertyOptions, 'name' | 'action' | 'description'>>;
	/** Its own fields, without displayOptions: the index shows them for this operation only. */
	fields: INodeProperties[];
	/** The Feishu endpoint it calls: the scopes, identities and rate budget it draws on. */
	endpoint: Endpoint;
	/** Options from the shared collection that only some operations use. */
	options: RequestOptionName[];
	/** One output item per input item, or several (Search). */
	execute(this: IExecuteFunctions, run: OperationRun, itemIndex: number): Promise<INodeExecutionData | INodeExecutionData[]>;
}

export const minuteField: INodeProperties = {
	displayName: 'Minute',
	name: 'minute',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'https://sample.feishu.cn/minutes/obcnq3b9jl72l83w4f149w9c',
	description: MINUTE_FIELD_HINT,
};

/** The binary field a file goes to (shown when Output is a file). */
export const binaryPropertyField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	required: true,
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
	displayOptions: { show: { output: ['file'] } },
};

/** Reads the Minute field and rejects bad input before any request is made. */
export function readMinuteToken(context: IExecuteFunctions, itemIndex: number): string {
	const parsed = parseMinute(context.getNodeParameter('minute', itemIndex));
	if ('token' in parsed) return parsed.token;
	throw new NodeOperationError(context.getNode(), parsed.problem, {
		itemIndex,
		description: MINUTE_FIELD_HINT,
	});
}

/** The item's "Wait Until Ready" settings, if it is on. */
export function readReadyWait(context: IExecuteFunctions, itemIndex: number): ReadyWait | undefined {
	const options = readOptions(context, itemIndex);
	if (!options.waitUntilReady) return undefined;
	return { timeoutMs: options.readyTimeoutMinutes * 60_000, pollIntervalMs: options.pollIntervalSeconds * 1000 };
}

export function readBinaryPropertyName(context: IExecuteFunctions, itemIndex: number): string {
	const name = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	if (name === '') {
		throw new NodeOperationError(context.getNode(), 'The "Put Output File in Field" field is empty', {
			itemIndex,
			description: 'Enter the name of the binary field for the file, e.g. data',
		});
	}
	return name;
}
