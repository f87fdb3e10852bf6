import type { INodeProperties } from 'n8n-workflow';

/** Settings shared by every operation: pacing, retries, timeouts and waiting for transcription. */
export const requestOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Max Parallel Downloads',
			name: 'parallelDownloads',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 3,
			description: 'How many files download at the same time. Each is streamed to n8n\'s binary storage, so memory stays flat.',
			displayOptions: { show: { '/operation': ['getMedia'], '/output': ['file'] } },
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 3,
			description:
				'How often a request is retried, with growing pauses, when Feishu is rate limiting (429), fails on its side (5xx, 2091006) or cannot be reached. Other errors are not retried.',
		},
		{
			displayName: 'Ready Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 30,
			description: 'With Wait Until Ready: how long to wait between two checks',
			displayOptions: { show: { waitUntilReady: [true] } },
		},
		{
			displayName: 'Ready Timeout (Minutes)',
			name: 'readyTimeoutMinutes',
			type: 'number',
			typeOptions: { minValue: 0.01, numberPrecision: 2 },
			default: 15,
			description: 'With Wait Until Ready: how long to wait at most before failing the item',
			displayOptions: { show: { waitUntilReady: [true] } },
		},
		{
			displayName: 'Requests Per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0.1, maxValue: 100, numberPrecision: 1 },
			default: 5,
			description:
				'Feishu allows 5 requests per second per app for this API. Lower it when other workflows use the same app.',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
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
	],
};

export interface RequestOptionValues {
	parallelDownloads?: number;
	maxRetries?: number;
	pollIntervalSeconds?: number;
	readyTimeoutMinutes?: number;
	requestsPerSecond?: number;
	timeoutSeconds?: number;
	waitUntilReady?: boolean;
}
