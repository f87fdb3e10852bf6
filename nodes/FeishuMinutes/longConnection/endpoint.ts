import type { ICredentialDataDecryptedObject, ITriggerFunctions } from 'n8n-workflow';

import { feishuBaseUrl, networkErrorSummary } from '../../../credentials/feishuAuth';
import { jsonBody, scrub } from '../transport/classify';
import { type ConnectionEndpoint, configFrom, EndpointRefusal } from './config';

/** Feishu answers the endpoint call within this (its SDK waits 15 s). */
const ENDPOINT_TIMEOUT_MS = 15_000;

/** Codes reconnecting cannot fix, and what to do about each (Feishu's SDKs give up on these). */
const FATAL: Record<number, { message: string; description: string }> = {
	403: {
		message: 'Feishu refused the long connection (403 forbidden)',
		description:
			'Only custom (self-built) apps may receive events over the long connection. In the developer console: Events & Callbacks → Event Configuration → "Receive events through persistent connection", then publish a version.',
	},
	514: {
		message: 'Feishu refused the App ID / App Secret for the long connection (514 auth failed)',
		description: 'Copy the App ID and App Secret again from the developer console (Credentials & Basic Info) into the credential\'s Client ID and Client Secret.',
	},
	1000040350: {
		message: 'Feishu refused the long connection: too many connections for this app (1000040350)',
		description:
			'Feishu allows 50 connections per app, and gives each event to one of them at random. Deactivate other workflows or n8n instances that hold a long connection for the same app: use one trigger per app.',
	},
};

/** Codes that say "busy, try again" (Feishu's SDKs retry them). */
const RETRYABLE = new Set([1, 1000040343]);

/**
 * `POST {base}/callback/ws/endpoint` with the App ID and Secret: the WebSocket URL to use now and Feishu's
 * ClientConfig. Refusals that reconnecting cannot fix are fatal EndpointRefusals; the rest are worth a retry.
 */
export async function requestEndpoint(context: ITriggerFunctions, credentials: ICredentialDataDecryptedObject): Promise<ConnectionEndpoint> {
	const appSecret = String(credentials.clientSecret ?? '');
	let answer: { statusCode?: number; body?: unknown } = {};
	let unreachable: string | undefined;
	try {
		answer = (await context.helpers.httpRequest({
			method: 'POST',
			url: `${feishuBaseUrl(credentials)}/callback/ws/endpoint`,
			headers: { locale: 'zh' },
			body: { AppID: String(credentials.clientId ?? ''), AppSecret: appSecret },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: ENDPOINT_TIMEOUT_MS,
		})) as { statusCode?: number; body?: unknown };
	} catch (error) {
		unreachable = networkErrorSummary(error);
	}
	if (unreachable !== undefined) throw new EndpointRefusal(`Could not reach Feishu's long-connection endpoint (${unreachable})`, false);
	const body = jsonBody(answer.body) ?? {};
	const code = typeof body.code === 'number' ? body.code : undefined;
	const said = scrub(String(body.msg ?? ''), [appSecret]).slice(0, 200);
	if (answer.statusCode !== 200 || code === undefined || RETRYABLE.has(code)) {
		throw new EndpointRefusal(`Feishu's long-connection endpoint answered HTTP ${String(answer.statusCode)}${code === undefined ? '' : `, code ${code}`} ${said}`.trim(), false);
	}
	const fatal = FATAL[code];
	if (fatal) throw new EndpointRefusal(fatal.message, true, fatal.description);
	if (code !== 0) throw new EndpointRefusal(`Feishu refused the long connection (code ${code}${said ? `: ${said}` : ''})`, true, 'See Feishu\'s error-code list for this code.');
	const data = (body.data ?? {}) as { URL?: unknown; ClientConfig?: unknown };
	if (typeof data.URL !== 'string' || !/^wss?:\/\//.test(data.URL)) throw new EndpointRefusal('Feishu\'s long-connection endpoint gave no WebSocket URL', false);
	return { url: data.URL, config: configFrom(data.ClientConfig) };
}
