import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FeishuTokenError } from '../../../credentials/feishuAuth';

/** The endpoint a request went to, as far as an error needs to name it. */
export interface ScopedEndpoint {
	/** The operation's name as the user sees it, e.g. "Get Media". */
	name: string;
	/** Any one of these scopes is enough; the first is the current one. */
	scopes: readonly string[];
}

interface KnownError {
	message: string;
	/** What to do; `scope` names the scope the failed request needs, e.g. "for Get Media: minutes:minutes.media:export". */
	description: (scope: string) => string;
}

/** What each documented Feishu code means for the person running the workflow. */
const FEISHU_ERRORS: Record<number, KnownError> = {
	2091001: {
		message: 'Feishu rejected the request as invalid',
		description: () =>
			'Feishu says a parameter is malformed (param is invalid). Check that the Minute field holds a 24-character minute token or a Minutes link.',
	},
	2091002: {
		message: 'Minute not found',
		description: () =>
			'No minute with this token exists for this app. Check the link, and that the minute belongs to the same Feishu / Lark tenant as the app.',
	},
	2091003: {
		message: 'The minute is not ready yet',
		description: () =>
			'Feishu is still processing (transcribing) this minute. Try again in a few minutes, or turn on the "Wait Until Ready" option.',
	},
	2091004: {
		message: 'The minute has been deleted',
		description: () => 'This minute was deleted in Feishu. Remove it from the input or restore it from the trash.',
	},
	2091005: {
		message: 'Permission denied for this minute',
		description: (scope) =>
			'The credential cannot read this minute. In Feishu, open the minute, choose Share and give read access to the app (or a group the app is in) — or, with a Feishu OAuth2 API credential, to the connected user. ' +
			`Also check that the app has the scope ${scope} and that a version with it is published.`,
	},
	2091006: {
		message: 'Feishu had an internal error',
		description: () => 'Feishu failed while serving this minute (service internal error). Try again later.',
	},
	121001: {
		message: 'Feishu had an internal error',
		description: () => 'Feishu failed while serving this meeting (internal error). Try again later.',
	},
	121003: {
		message: 'Feishu rejected the request as invalid',
		description: () => 'Feishu says a parameter is malformed (param error). Check the Meeting field and the search filters.',
	},
	121004: {
		message: 'Feishu has no such data for this meeting',
		description: () =>
			'The meeting was not recorded, has not ended yet, or is older than Feishu keeps (90 days for meeting details). Check the meeting in Feishu; a recording shorter than about 5 seconds is not kept.',
	},
	121005: {
		message: 'Permission denied for this meeting',
		description: (scope) =>
			`With a user's credential Feishu answers only for meetings that user owns (booked or started); use a Feishu API (app) credential to reach every meeting of the tenant. Also check the scope ${scope} and that a version with it is published.`,
	},
	122002: {
		message: 'Meeting not found',
		description: () => 'No meeting with this ID exists in the app\'s tenant. Check the meeting ID (a long number, not the 9-digit meeting number).',
	},
	124002: {
		message: 'The meeting\'s recording is not ready yet',
		description: () => 'Feishu is still generating the recording (usually minutes after the meeting ends). Try again later, or turn on the "Wait Until Ready" option.',
	},
	99991400: {
		message: 'Feishu rate limit reached',
		description: () =>
			'Too many requests for this app. Lower the node\'s "Requests Per Second" option or spread the workflow out over time.',
	},
	99991543: {
		message: 'Feishu does not know this App ID / App Secret',
		description: () => 'Copy the App ID and App Secret again from the developer console (your app → Credentials & Basic Info), and check the Deployment.',
	},
	99991662: {
		message: 'The Feishu app is disabled',
		description: () => 'An administrator of your Feishu tenant has turned the app off (Admin console → Workplace → Apps). Ask them to enable it.',
	},
	99991671: {
		message: 'Feishu refused the access token as malformed',
		description: () =>
			'The token does not look like a Feishu token (t-… or u-…): something between n8n and Feishu changed it, or the Base URL is not Feishu\'s. Check the Deployment / Base URL, then reconnect or re-save the credential.',
	},
	99991672: {
		message: 'The app lacks a required permission scope',
		description: (scope) => `In the Feishu developer console, add the scope ${scope} to the app (Permissions & Scopes) and publish a new version.`,
	},
	99991673: {
		message: 'The Feishu app is not available in this tenant',
		description: () =>
			'The app is not installed in this tenant, or its latest version is not published or approved. Publish a version in the developer console and have an administrator approve it.',
	},
	99991676: {
		message: 'The access token lacks the permission for this request',
		description: (scope) =>
			`The app needs the scope ${scope}: enable it in the developer console and publish a new version; with a user credential, then reconnect it so the user grants it.`,
	},
	99991679: {
		message: 'The user has not granted a required permission scope',
		description: (scope) =>
			`The connected user did not grant the scope ${scope}. Enable it for the app in the developer console and publish a version first (Feishu leaves scopes the app lacks out of the consent page), then reconnect the credential.`,
	},
};

/** Codes by which Feishu says the access token is missing, invalid or expired. */
export const TOKEN_INVALID_CODES = new Set([99991661, 99991663, 99991664, 99991665, 99991668, 99991677]);

export const RATE_LIMITED_CODE = 99991400;

export const NOT_READY_CODE = 2091003;

/** A meeting's recording is still being generated (Lark's CLI docs for the recording call). */
export const RECORDING_NOT_READY_CODE = 124002;

/** Codes that mean "still being processed": worth polling when the user asked to wait. */
export const NOT_READY_CODES = new Set([NOT_READY_CODE, RECORDING_NOT_READY_CODE]);

/** Feishu's internal errors (Minutes, VC): worth retrying. */
export const SERVER_ERROR_CODES = new Set([2091006, 121001]);

/** A failure as plain facts: what Feishu (or the network) said, before it is worded for the user. */
export interface FeishuFailure {
	httpCode: number;
	feishuCode?: number;
	feishuMessage?: string;
	/** Extra words for errors that are not Feishu's own, e.g. a gateway page. */
	message?: string;
	description?: string;
}

/** "for Get Media: minutes:minutes.media:export (or minutes:minute:download)". */
function scopeHint(endpoint: ScopedEndpoint | undefined): string {
	if (!endpoint) return 'this operation needs';
	const [current, ...others] = endpoint.scopes;
	return `for ${endpoint.name}: ${current}${others.length ? ` (or ${others.join(' / ')})` : ''}`;
}

/**
 * Builds the NodeApiError a user sees. Only plain facts go in (codes and messages, never request
 * options), so no header or token can ride along in the error's context.
 */
export function feishuApiError(
	node: INode,
	failure: FeishuFailure,
	itemIndex?: number,
	endpoint?: ScopedEndpoint,
): NodeApiError {
	const known = failure.feishuCode === undefined ? undefined : FEISHU_ERRORS[failure.feishuCode];
	const feishuPart =
		failure.feishuCode === undefined
			? ''
			: ` (Feishu code ${failure.feishuCode}${failure.feishuMessage ? `: ${failure.feishuMessage}` : ''})`;
	const message =
		failure.message ??
		(known ? `${known.message}${feishuPart}` : `Feishu returned an error${feishuPart}`);
	const description =
		failure.description ??
		known?.description(scopeHint(endpoint)) ??
		'See Feishu\'s error-code list (open.feishu.cn → Server API → Error codes) for this code.';

	const errorResponse: JsonObject = { httpCode: failure.httpCode, message };
	if (failure.feishuCode !== undefined) errorResponse.code = failure.feishuCode;
	if (failure.feishuMessage !== undefined) errorResponse.msg = failure.feishuMessage;

	const error = new NodeApiError(node, errorResponse, {
		message,
		description,
		httpCode: String(failure.httpCode),
		itemIndex,
	});
	if (failure.feishuCode !== undefined) error.context.feishuCode = failure.feishuCode;
	return error;
}

/** The credential could not get a token: Feishu's reason, and where to fix it. */
export function credentialError(node: INode, error: Error, itemIndex?: number): NodeApiError {
	const details = error instanceof FeishuTokenError ? error.details : {};
	return feishuApiError(
		node,
		{
			httpCode: details.httpCode ?? 0,
			feishuCode: details.feishuCode,
			message: error.message,
			description:
				'The Feishu credential could not get a tenant access token. Open the credential, fix what the message says and use its Test button.' +
				(details.cause ? ` (Cause: ${details.cause})` : ''),
		},
		itemIndex,
	);
}
