import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { FeishuClient } from '../../transport/client';
import { ENDPOINTS, getMinute, searchMinutes } from '../../transport/endpoints';
import type { OperationModule, OperationRun } from '../operation';
import { readKeyword, readLimit, readWindow, returnAllFields } from '../searchInput';
import { compactMinute } from '../toolOutput';

/** Without Created After, the window reaches this far back from Created Before. */
const DEFAULT_WINDOW_DAYS = 30;

/** Without Created Before, the window ends this far past now: Feishu's clock may run ahead of n8n's. */
const CLOCK_MARGIN_MS = 20 * 60 * 1000;

export const option: OperationModule['option'] = {
	name: 'Search',
	action: 'Search minutes',
	description: 'Find minutes by keyword and creation time, newest first: each with its 24-character minute token for the other operations',
};

export const fields: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		description: 'Words in the minute\'s title or content (at most 50 characters); empty finds all',
	},
	{
		displayName: 'Created After',
		name: 'createdAfter',
		type: 'dateTime',
		default: '',
		hint: 'Empty: 30 days before Created Before',
		description: 'Only minutes created at or after this time (ISO 8601, e.g. 2026-11-23T00:00:00+08:00). Longer windows are searched a month at a time.',
	},
	{
		displayName: 'Created Before',
		name: 'createdBefore',
		type: 'dateTime',
		default: '',
		hint: 'Empty: now',
		description: 'Only minutes created before this time (ISO 8601)',
	},
	...returnAllFields,
];

export const endpoint = ENDPOINTS.search;

/** Run by an AI agent, each result's creation time comes from the minute itself. */
export const alsoCalls = [ENDPOINTS.minute];

export const options: OperationModule['options'] = [];

/**
 * Minutes the credential's user (or app) can see, by keyword and create-time window, newest first:
 * one output item per minute, paged like n8n's list operations (Return All, or a Limit).
 */
export async function execute(this: IExecuteFunctions, { client, asTool }: OperationRun, itemIndex: number): Promise<INodeExecutionData[]> {
	const limit = readLimit(this, itemIndex);
	const keyword = readKeyword(this, itemIndex);
	const { from, to } = readWindow(
		this,
		{ name: 'createdAfter', label: 'Created After' },
		{ name: 'createdBefore', label: 'Created Before' },
		{ windowMs: DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000, marginMs: CLOCK_MARGIN_MS },
		itemIndex,
	);
	const found = await searchMinutes(client, { keyword, from, to }, limit, itemIndex);
	if (asTool) return await compactResults(client, found, itemIndex);
	return found.map((minute) => ({
		json: { minuteToken: minute.token, ...minute },
		pairedItem: { item: itemIndex },
	}));
}

/** Details are asked for this many minutes at a time (the rate limiter paces them). */
const DETAILS_AT_ONCE = 5;

/**
 * For an AI agent: token, title, link and creation time of each minute — the time from the minute itself
 * (Search gives none), one request more per result; a minute whose details fail keeps a null time.
 */
async function compactResults(client: FeishuClient, found: IDataObject[], itemIndex: number): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[] = [];
	for (let start = 0; start < found.length; start += DETAILS_AT_ONCE) {
		const batch = await Promise.all(
			found.slice(start, start + DETAILS_AT_ONCE).map(async (minute) => {
				const details = await getMinute(client, String(minute.token), itemIndex).catch(() => ({}) as IDataObject);
				return { json: compactMinute(minute, details.create_time), pairedItem: { item: itemIndex } };
			}),
		);
		results.push(...batch);
	}
	return results;
}
