import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ClientOptions } from '../transport/client';

/**
 * The Options collection: every option's default and allowed range, in one place. The editor shows
 * these; the run-time check (values set by expression skip the editor's limits) reads the same ones.
 */
const OPTION_PROPERTIES = [
	{
		displayName: 'Download Deadline (Minutes)',
		name: 'downloadDeadlineMinutes',
		type: 'number',
		typeOptions: { minValue: 0.05, maxValue: 1440, numberPrecision: 2 },
		default: 120,
		description:
			'How long one download may take in all. A file server that keeps sending a trickle is cut off then; 120 minutes fits a multi-GB recording at a few MB/s.',
	},
	{
		displayName: 'Max Parallel Downloads',
		name: 'parallelDownloads',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 16 },
		default: 3,
		description: 'How many files download at the same time. Each is streamed to n8n\'s binary storage, so memory stays flat.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10 },
		default: 3,
		description:
			'How often a request is retried, with growing pauses, when Feishu fails on its side (5xx, 2091006) or cannot be reached; for Binary File, also a download that stalls, breaks off or meets an expired URL (fetched again with a fresh URL). Other errors are not retried. Rate limiting (429) is waited out apart from this: up to 10 waits per request, each as long as Feishu says (at most a minute).',
	},
	{
		displayName: 'Ready Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 1 },
		default: 30,
		description: 'With Wait Until Ready: how long to wait between two checks',
	},
	{
		displayName: 'Ready Timeout (Minutes)',
		name: 'readyTimeoutMinutes',
		type: 'number',
		typeOptions: { minValue: 0.01, maxValue: 1440, numberPrecision: 2 },
		default: 15,
		description: 'With Wait Until Ready: how long to wait at most before failing the item',
	},
	{
		displayName: 'Requests Per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 1000, numberPrecision: 1 },
		default: 5,
		description:
			'Feishu allows 5 requests per second per app for this API. Every execution in this n8n process using the same app keeps the lowest value any of them set in the last minute. Lower it when other tools use the same app.',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3600 },
		default: 60,
		description: 'How long one request may take before it fails (and is retried). For downloads: how long the file server may stay silent.',
	},
	{
		displayName: 'Wait Until Ready',
		name: 'waitUntilReady',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep checking a minute that Feishu is still transcribing (2091003) until it is ready, instead of failing the item',
	},
] as const satisfies INodeProperties[];

type OptionProperty = (typeof OPTION_PROPERTIES)[number];

type NumberOptionName = Extract<OptionProperty, { type: 'number' }>['name'];

export type RequestOptionName = OptionProperty['name'];

export type RequestOptions = { [name in NumberOptionName]: number } & { waitUntilReady: boolean };

/** Options only some operations use; the rest apply to every operation. */
const CONDITIONAL: RequestOptionName[] = ['downloadDeadlineMinutes', 'parallelDownloads', 'waitUntilReady', 'pollIntervalSeconds', 'readyTimeoutMinutes'];

/** Extra conditions beyond the operation, e.g. downloads only matter for file output. */
const ALSO_WHEN: Partial<Record<RequestOptionName, Record<string, string[] | boolean[]>>> = {
	downloadDeadlineMinutes: { '/output': ['file'] },
	parallelDownloads: { '/output': ['file'] },
	pollIntervalSeconds: { waitUntilReady: [true] },
	readyTimeoutMinutes: { waitUntilReady: [true] },
};

/**
 * The Options collection, each option shown only for the operations that use it.
 * `usedBy` maps each conditional option to the operations that declared it.
 */
export function requestOptionsProperty(usedBy: Partial<Record<RequestOptionName, string[]>>): INodeProperties {
	const withDisplay = (property: INodeProperties): INodeProperties => {
		const name = property.name as RequestOptionName;
		if (!CONDITIONAL.includes(name)) return property;
		return { ...property, displayOptions: { show: { '/operation': usedBy[name] ?? [], ...ALSO_WHEN[name] } } };
	};
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: OPTION_PROPERTIES.map((property) => withDisplay({ ...property } as INodeProperties)),
	};
}

/**
 * The item's options with defaults filled in. A value outside its range (an expression can set
 * anything) fails the item before any request, naming the option and the range.
 */
export function readOptions(context: IExecuteFunctions, itemIndex: number): RequestOptions {
	const raw = context.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;
	const options = { waitUntilReady: raw.waitUntilReady === true } as RequestOptions;
	for (const property of OPTION_PROPERTIES) {
		if (property.type !== 'number') continue;
		const { minValue, maxValue } = property.typeOptions;
		const given = raw[property.name];
		const value = given === undefined || given === '' ? property.default : toNumber(given);
		const wholeOnly = !('numberPrecision' in property.typeOptions);
		if (!(value >= minValue && value <= maxValue) || (wholeOnly && !Number.isInteger(value))) {
			const kind = wholeOnly ? 'a whole number' : 'a number';
			throw new NodeOperationError(context.getNode(), `The "${property.displayName}" option must be ${kind} from ${minValue} to ${maxValue}`, {
				itemIndex,
				description: `It is ${JSON.stringify(String(given)).slice(0, 60)}. Set it in the node's Options, or fix the expression that sets it.`,
			});
		}
		options[property.name] = value;
	}
	return options;
}

/** Numbers, and text that is one (an expression may give "5"); anything else is NaN. */
function toNumber(value: unknown): number {
	if (typeof value === 'number') return value;
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
}

/** The client settings every option at its default gives (the trigger has no Options collection). */
export const DEFAULT_CLIENT_OPTIONS: ClientOptions = clientOptions(
	Object.fromEntries(OPTION_PROPERTIES.map((property) => [property.name, property.default])) as RequestOptions,
);

/** What the client takes from the options. */
export function clientOptions(options: RequestOptions): ClientOptions {
	return { requestsPerSecond: options.requestsPerSecond, maxRetries: options.maxRetries, timeoutMs: options.timeoutSeconds * 1000 };
}
