import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, NodeApiError } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { feishuBaseUrl, networkErrorSummary } from '../../../credentials/feishuAuth';
import type { RateLimiter } from '../helpers/RateLimiter';
import type { FeishuAuth, RequestContext, SentRequest } from './auth';
import { type Answer, answerIn, findInChain, type HttpAnswer, unwrap } from './classify';
import { feishuApiError } from './errors';

export const USER_CREDENTIAL = 'feishuOAuth2Api';

/**
 * A refresh refused because another process used the single-use refresh token first: that process
 * is still waiting for Feishu's answer (seconds, at times) before it stores the new pair. Wait this
 * long at most, reading the stored credential every RACE_POLL_MS, before asking the user to reconnect.
 */
const RACE_WAIT_MS = 30_000;

const RACE_POLL_MS = 500;

/** Refresh refusals no other process can have caused: the user must act, so nothing to wait for. */
const FINAL_REFRESH_CODES = new Set([20037, 20074]);

/**
 * A user's token, refreshed by n8n's OAuth2 support — which does so only when a request fails with a
 * given HTTP status. Feishu signals an expired user token in the body, with varying statuses, so a
 * rejected request is sent once more telling n8n to treat that status as "token expired": n8n
 * refreshes (rotating the single-use refresh token, one refresh per credential at a time, re-reading
 * the stored pair first), stores the new pair and retries.
 */
export class UserAuth implements FeishuAuth {
	readonly identity = 'user';

	readonly baseUrl: string;

	readonly app: string;

	readonly grantedScopes?: ReadonlySet<string>;

	readonly renewedTokenRefused =
		'Feishu refuses the user\'s token even after a refresh. Reconnect the Feishu OAuth2 credential (Sign in with Feishu again).';

	private renewal?: Promise<unknown>;

	/** Counts refreshes, so a request rejected with an older token just sends again. */
	private generation = 0;

	constructor(
		private readonly context: RequestContext,
		private readonly credentials: ICredentialDataDecryptedObject,
	) {
		this.baseUrl = feishuBaseUrl(credentials);
		this.app = String(credentials.clientId);
		// Feishu's token answer lists what the user granted; n8n keeps the whole answer
		const scope = (credentials.oauthTokenData as { scope?: unknown } | undefined)?.scope;
		if (typeof scope === 'string' && scope.trim() !== '') this.grantedScopes = new Set(scope.split(/[\s,]+/));
	}

	secrets(): string[] {
		const tokens = (this.credentials.oauthTokenData ?? {}) as { access_token?: unknown; refresh_token?: unknown };
		return [this.credentials.clientSecret, tokens.access_token, tokens.refresh_token].filter((value): value is string => typeof value === 'string');
	}

	async send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest> {
		while (this.renewal) await this.renewal.catch(() => undefined);
		const generation = this.generation;
		const sentAt = Date.now();
		if (rejected === undefined || rejected.token !== generation) {
			return { answer: await this.sendRecovering(options, limiter, itemIndex), token: generation, sentAt };
		}
		const answer = rejected.answer;
		const refreshing = this.sendRecovering(options, limiter, itemIndex, 'statusCode' in answer ? answer.statusCode : 401);
		this.renewal = refreshing;
		try {
			return { answer: await refreshing, token: generation + 1, sentAt };
		} finally {
			this.generation = generation + 1;
			this.renewal = undefined;
		}
	}

	/**
	 * Sends, letting n8n refresh on `refreshOnStatus`. A refresh can fail because another execution
	 * or n8n process used the single-use refresh token first (Feishu: 20064 / 20073; n8n 2.x hides the
	 * code). Then the other one stores the new pair as soon as Feishu answers it: wait for it (bounded)
	 * and send once more with it. Only a refusal nobody else's refresh explains means reconnecting.
	 */
	private async sendRecovering(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, refreshOnStatus?: number): Promise<Answer> {
		const storedBefore = await this.storedAccessToken();
		const first = await this.transmit(options, limiter, itemIndex, refreshOnStatus ?? 401, refreshOnStatus !== undefined);
		if (!('refreshFailed' in first)) return first;
		const code = refreshCode(first.refreshFailed);
		if (code === undefined || !FINAL_REFRESH_CODES.has(code)) {
			for (const deadline = Date.now() + RACE_WAIT_MS; Date.now() < deadline; await sleep(RACE_POLL_MS)) {
				const storedNow = await this.storedAccessToken();
				if (storedNow === undefined || storedNow === storedBefore) continue;
				const again = await this.transmit(options, limiter, itemIndex);
				if (!('refreshFailed' in again)) return again;
				break;
			}
		}
		throw refreshError(this.context.getNode(), code, itemIndex);
	}

	private async storedAccessToken(): Promise<unknown> {
		const stored = await this.context.getCredentials(USER_CREDENTIAL);
		return (stored.oauthTokenData as { access_token?: unknown } | undefined)?.access_token;
	}

	/**
	 * Sends once; n8n refreshes on `refreshOnStatus`. A refresh that fails comes back as such, to be judged.
	 * `refreshing`: this send exists to make n8n refresh, so an answer with that status means it could not.
	 */
	private async transmit(
		options: IHttpRequestOptions,
		limiter: RateLimiter,
		itemIndex: number,
		refreshOnStatus = 401,
		refreshing = false,
	): Promise<Answer | { refreshFailed: unknown }> {
		const slot = await limiter.acquire();
		let answer: HttpAnswer;
		try {
			answer = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				USER_CREDENTIAL,
				// n8n's OAuth2 refresh needs the request to fail with the status that means "expired"
				{ ...options, ignoreHttpStatusErrors: { ignore: true, except: [refreshOnStatus] } },
				{ oauth2: { tokenExpiredStatusCode: refreshOnStatus } },
			)) as HttpAnswer;
		} catch (error) {
			// n8n's refresh request to the token endpoint failed on Feishu's side (20050 is HTTP 500, 20072 is 503)
			const refresh = findInChain(error, (link) => /oauth\/token/.test(requestUrl(link)) && answerIn(link) !== undefined);
			if (refresh) {
				const status = answerIn(refresh)!.statusCode;
				return {
					networkFailure: `HTTP ${status}`,
					message: `Feishu's token endpoint failed (HTTP ${status}) while refreshing the user token`,
					description: 'This is on Feishu\'s side (codes 20050 / 20072 say it passes): nothing to fix in n8n. Try again later; the connection is kept.',
				};
			}
			const answered = answerIn(error);
			if (answered) return answered;
			if (findInChain(error, (link) => /oauth|refresh|reconnect/i.test(String((link as { message?: unknown }).message ?? '')))) {
				return { refreshFailed: error };
			}
			return { networkFailure: networkErrorSummary(unwrap(error)) };
		} finally {
			limiter.answered(slot);
		}
		// n8n 2.x throws on `except` and refreshes; n8n 1.x knows only `ignoreHttpStatusErrors: true` and hands it back
		if (refreshing && answer.statusCode === refreshOnStatus) throw notRefreshedError(this.context.getNode(), refreshOnStatus, itemIndex);
		return answer;
	}
}

/** n8n 1.x refreshes OAuth2 tokens only on an HTTP error, and this node must read Feishu's error answers itself. */
function notRefreshedError(node: INode, status: number, itemIndex: number): NodeApiError {
	return feishuApiError(
		node,
		{
			httpCode: status,
			message: 'n8n did not refresh the Feishu user token: n8n 1.x cannot do it for this node',
			description:
				`Feishu reports an expired user token in its answer's body (here with HTTP ${status}). n8n 1.x lets a node read such answers or have the token refreshed, not both; n8n 2.x does both. ` +
				'Upgrade n8n to 2.x, or use the Feishu API (tenant) credential where the operation allows it, or reconnect the Feishu OAuth2 credential (a user token lasts about 2 hours).',
		},
		itemIndex,
	);
}

/** Feishu's OAuth codes that say what the user must change, beyond reconnecting. */
const REFRESH_ADVICE: Record<number, string> = {
	20037: 'The refresh token expired: Feishu keeps one for 7 days unused, and asks users to sign in again after 365 days.',
	20074: 'The app may not refresh user tokens: in the developer console, turn on "Refresh user_access_token" (Security Settings), publish, then reconnect.',
};

/** Feishu's code for a refused refresh, where n8n passes Feishu's answer on (1.x does, 2.x does not). */
function refreshCode(cause: unknown): number | undefined {
	const body = findInChain(cause, (link) => typeof (link as { body?: { code?: unknown } }).body?.code === 'number') as
		| { body: { code: number } }
		| undefined;
	return body?.body.code;
}

function refreshError(node: INode, code: number | undefined, itemIndex: number): NodeApiError {
	return feishuApiError(
		node,
		{
			httpCode: 401,
			message: 'The Feishu user token could not be refreshed',
			description:
				`${code !== undefined && REFRESH_ADVICE[code] ? `${REFRESH_ADVICE[code]} ` : ''}` +
				'Reconnect the Feishu OAuth2 credential (Sign in with Feishu again). Refresh tokens expire after 7 days unused, and authorization after 365 days; the app also needs "offline_access".' +
				(code === undefined || !FINAL_REFRESH_CODES.has(code) ? ` No other execution stored a new token within ${RACE_WAIT_MS / 1000} s.` : '') +
				(code !== undefined ? ` (Feishu code ${code})` : ''),
		},
		itemIndex,
	);
}

/** The URL an axios error's request went to. */
function requestUrl(link: unknown): string {
	const { config, response } = (link ?? {}) as { config?: { url?: unknown }; response?: { config?: { url?: unknown } } };
	return String(config?.url ?? response?.config?.url ?? '');
}
