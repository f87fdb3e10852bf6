import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestOptionValues } from '../descriptions/options.description';
import type { Authentication, FeishuClient, ReadyWait } from '../transport/FeishuClient';
import type { Semaphore } from '../transport/RateLimiter';
import { MINUTE_FIELD_HINT, parseMinute } from '../transport/minuteToken';

/** What one execution's items share: the client (token, rate limit) and the download slots. */
export interface OperationRun {
	client: FeishuClient;
	downloads: Semaphore;
	authentication: Authentication;
}

/** One output item per input item, or several (Search). */
export type Operation = (
	this: IExecuteFunctions,
	run: OperationRun,
	itemIndex: number,
) => Promise<INodeExecutionData | INodeExecutionData[]>;

export function readOptions(context: IExecuteFunctions, itemIndex: number): RequestOptionValues {
	return context.getNodeParameter('options', itemIndex, {}) as RequestOptionValues;
}

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
	return {
		timeoutMs: (options.readyTimeoutMinutes ?? 15) * 60_000,
		pollIntervalMs: (options.pollIntervalSeconds ?? 30) * 1000,
	};
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
