import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, NodeApiError } from 'n8n-workflow';

import { feishuBaseUrl, networkErrorSummary } from '../../../credentials/feishuAuth';
import type { RateLimiter } from '../helpers/RateLimiter';
import type { FeishuAuth, RequestContext, SentRequest } from './auth';
import { type Answer, answerIn, findInChain, type HttpAnswer, unwrap } from './classify';
import { feishuApiError } from './errors';

export const USER_CREDENTIAL = 'feishuOAuth2Api';

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
	 * or n8n worker used the single-use refresh token first (Feishu: 20064 / 20073). Then the stored
	 * credential already holds the new pair: send once more with it. Any other refresh failure means
	 * the user must reconnect.
	 */
	private async sendRecovering(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, refreshOnStatus = 401): Promise<Answer> {
		const storedBefore = await this.storedAccessToken();
		const first = await this.transmit(options, limiter, itemIndex, refreshOnStatus);
		if (!('refreshFailed' in first)) return first;
		const storedNow = await this.storedAccessToken();
		if (storedNow !== undefined && storedNow !== storedBefore) {
			const again = await this.transmit(options, limiter, itemIndex);
			if (!('refreshFailed' in again)) return again;
		}
		throw refreshError(this.context.getNode(), first.refreshFailed, itemIndex);
	}

	private async storedAccessToken(): Promise<unknown> {
		const stored = await this.context.getCredentials(USER_CREDENTIAL);
		return (stored.oauthTokenData as { access_token?: unknown } | undefined)?.access_token;
	}

	/** Sends once; n8n refreshes on `refreshOnStatus`. A refresh that fails comes back as such, to be judged. */
	private async transmit(
		options: IHttpRequestOptions,
		limiter: RateLimiter,
		itemIndex: number,
		refreshOnStatus = 401,
	): Promise<Answer | { refreshFailed: unknown }> {
		await limiter.acquire();
		try {
			return (await this.context.helpers.httpRequestWithAuthentication.call(
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
		}
	}
}

/** Feishu's OAuth codes that say what the user must change, beyond reconnecting. */
const REFRESH_ADVICE: Record<number, string> = {
	20037: 'The refresh token expired: Feishu keeps one for 7 days unused, and asks users to sign in again after 365 days.',
	20074: 'The app may not refresh user tokens: in the developer console, turn on "Refresh user_access_token" (Security Settings), publish, then reconnect.',
};

function refreshError(node: INode, cause: unknown, itemIndex: number): NodeApiError {
	const body = findInChain(cause, (link) => typeof (link as { body?: { code?: unknown } }).body?.code === 'number') as
		| { body: { code: number } }
		| undefined;
	const code = body?.body.code;
	return feishuApiError(
		node,
		{
			httpCode: 401,
			message: 'The Feishu user token could not be refreshed',
			description:
				`${code !== undefined && REFRESH_ADVICE[code] ? `${REFRESH_ADVICE[code]} ` : ''}` +
				'Reconnect the Feishu OAuth2 credential (Sign in with Feishu again). Refresh tokens expire after 7 days unused, and authorization after 365 days; the app also needs "offline_access".' +
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
