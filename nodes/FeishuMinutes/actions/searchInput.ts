import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Return All and Limit, as n8n's list operations have them. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** Return All, or the Limit field (a whole number of at least 1). */
export function readLimit(context: IExecuteFunctions, itemIndex: number): number {
	if (context.getNodeParameter('returnAll', itemIndex, false) as boolean) return Infinity;
	const limit = context.getNodeParameter('limit', itemIndex, 50) as number;
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(context.getNode(), 'The "Limit" field must be a whole number of at least 1', { itemIndex });
	}
	return limit;
}

/** The Keyword field: Feishu searches with at most 50 characters. */
export function readKeyword(context: IExecuteFunctions, itemIndex: number): string {
	const keyword = String(context.getNodeParameter('keyword', itemIndex, '')).trim();
	if (keyword.length > 50) {
		throw new NodeOperationError(context.getNode(), 'The "Keyword" field is longer than 50 characters', {
			itemIndex,
			description: 'Feishu searches with at most 50 characters. Shorten the keyword.',
		});
	}
	return keyword;
}

/** A date field (ms since epoch), or undefined when empty; n8n's dates may come without a zone, or as anything through an expression. */
export function readTime(context: IExecuteFunctions, name: string, label: string, itemIndex: number): number | undefined {
	const value = context.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === '' || value === undefined || value === null) return undefined;
	// a Luxon DateTime from an expression prints as ISO 8601
	const time = new Date(typeof value === 'number' ? value : String(value)).getTime();
	if (Number.isNaN(time)) {
		throw new NodeOperationError(context.getNode(), `The "${label}" field is not a date`, {
			itemIndex,
			description: 'Enter a date and time, e.g. 2026-11-24T00:00:00+08:00, or pick one.',
		});
	}
	return time;
}

/** A window from two date fields; the earlier must come first. */
export function readWindow(
	context: IExecuteFunctions,
	after: { name: string; label: string },
	before: { name: string; label: string },
	defaults: { windowMs: number; marginMs: number },
	itemIndex: number,
): { from: number; to: number } {
	const to = readTime(context, before.name, before.label, itemIndex) ?? Date.now() + defaults.marginMs;
	const from = readTime(context, after.name, after.label, itemIndex) ?? to - defaults.windowMs;
	if (from >= to) {
		throw new NodeOperationError(context.getNode(), `"${after.label}" is not before "${before.label}"`, {
			itemIndex,
			description: `Pick a ${after.label} time earlier than ${before.label}, or leave one of them empty.`,
		});
	}
	return { from, to };
}
