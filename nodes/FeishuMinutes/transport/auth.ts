import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { feishuBaseUrl, FeishuTokenError, networkErrorSummary } from '../../../credentials/feishuAuth';
import type { RateLimiter } from '../helpers/RateLimiter';
import type { Answer, HttpAnswer } from './classify';
import type { Identity } from './endpoints';
import { feishuApiError } from './errors';

export const TENANT_CREDENTIAL = 'feishuApi';

export const USER_CREDENTIAL = 'feishuOAuth2Api';

/** One request as sent: what came back, and which token (or token generation) it carried. */
export interface SentRequest {
	answer: Answer;
	token: unknown;
}

/**
 * How requests get a valid access token. Both identities share one contract: `send` uses the current
 * token; given `rejected` (an earlier send of the same request whose token Feishu refused), it first
 * makes sure a newer token exists — one renewal, shared by every request that saw the old one refused.
 * The rate slot is taken right before the request goes out, after any wait for a renewal.
 */
export interface FeishuAuth {
	readonly identity: Identity;
	readonly baseUrl: string;
	/** What the user should do when Feishu refuses even a freshly issued token. */
	readonly renewedTokenRefused: string;
	/** The scopes the token carries, where Feishu said so (a user's grant); unknown for the app. */
	readonly grantedScopes?: ReadonlySet<string>;
	send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest>;
}

type RequestContext = IExecuteFunctions | IPollFunctions;

export async function createAuth(context: RequestContext, identity: Identity): Promise<FeishuAuth> {
	const credentials = await context.getCredentials(identity === 'user' ? USER_CREDENTIAL : TENANT_CREDENTIAL);
	try {
		return identity === 'user' ? new UserAuth(context, credentials) : new TenantAuth(context, credentials);
	} catch (error) {
		throw credentialError(context.getNode(), error as Error);
	}
}

/**
 * The app's tenant token. n8n fetches it through the credential's preAuthentication when the stored
 * token is empty, and stores it with the credential, so it is reused across items and executions.
 */
class TenantAuth implements FeishuAuth {
	readonly identity = 'app';

	readonly baseUrl: string;

	readonly renewedTokenRefused =
		'The credential worked for getting a token, but Feishu refuses it for this API. Check that the credential\'s deployment (Feishu / Lark / Base URL) is the one the app belongs to.';

	/** The request that is fetching a new token; others wait for it instead of fetching their own. */
	private renewal?: Promise<unknown>;

	/** A token fetch that failed (e.g. wrong secret) fails every later request of this execution the same way. */
	private failure?: FeishuTokenError;

	constructor(
		private readonly context: RequestContext,
		private readonly credentials: ICredentialDataDecryptedObject,
	) {
		this.baseUrl = feishuBaseUrl(credentials);
	}

	async send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest> {
		while (this.renewal) await this.renewal.catch(() => undefined);
		if (this.failure) throw credentialError(this.context.getNode(), this.failure, itemIndex);

		const current = this.credentials.tenantAccessToken;
		if (current && (rejected === undefined || rejected.token !== current)) {
			return { answer: await this.transmit(options, limiter, this.credentials, itemIndex), token: current };
		}
		// The renewing request gets its own copy without a token, so n8n fetches one for it alone;
		// requests already on their way keep the shared data (emptying it would make each fetch one too).
		const renewing = { ...this.credentials, tenantAccessToken: '' };
		const sending = this.transmit(options, limiter, renewing, itemIndex, true);
		this.renewal = sending;
		try {
			const answer = await sending;
			if (renewing.tenantAccessToken) this.credentials.tenantAccessToken = renewing.tenantAccessToken;
			return { answer, token: renewing.tenantAccessToken };
		} finally {
			this.renewal = undefined;
		}
	}

	private async transmit(
		options: IHttpRequestOptions,
		limiter: RateLimiter,
		data: ICredentialDataDecryptedObject,
		itemIndex: number,
		fetchesToken = false,
	): Promise<Answer> {
		const node = this.context.getNode();
		const slot = await limiter.acquire();
		try {
			return (await this.context.helpers.httpRequestWithAuthentication.call(this.context, TENANT_CREDENTIAL, options, {
				credentialsDecrypted: {
					id: node.credentials?.[TENANT_CREDENTIAL]?.id ?? '',
					name: node.credentials?.[TENANT_CREDENTIAL]?.name ?? '',
					type: TENANT_CREDENTIAL,
					data,
				},
				// Never let n8n refresh on its own: the status alone cannot tell a token error.
				preAuthenticationRetryStatusCode: [],
			})) as HttpAnswer;
		} catch (error) {
			const answered = answerIn(error);
			if (answered) return answered;
			const tokenError = findInChain(error, (link): link is FeishuTokenError => link instanceof FeishuTokenError);
			if (tokenError) {
				// Only a token fetch can fail this way; later requests of this execution fail alike.
				this.failure = tokenError;
				throw credentialError(node, tokenError, itemIndex);
			}
			return { networkFailure: networkErrorSummary(unwrap(error)) };
		} finally {
			// Its request went out only after the token arrived; count it from now, conservatively.
			if (fetchesToken) limiter.restart(slot);
		}
	}
}

/**
 * A user's token, refreshed by n8n's OAuth2 support — which does so only when a request fails with a
 * given HTTP status. Feishu signals an expired user token in the body, with varying statuses, so a
 * rejected request is sent once more telling n8n to treat that status as "token expired": n8n
 * refreshes (rotating the single-use refresh token, one refresh per credential at a time, re-reading
 * the stored pair first), stores the new pair and retries.
 */
class UserAuth implements FeishuAuth {
	readonly identity = 'user';

	readonly baseUrl: string;

	readonly grantedScopes?: ReadonlySet<string>;

	readonly renewedTokenRefused =
		'Feishu refuses the user\'s token even after a refresh. Reconnect the Feishu OAuth2 credential (Sign in with Feishu again).';

	private renewal?: Promise<unknown>;

	/** Counts refreshes, so a request rejected with an older token just sends again. */
	private generation = 0;

	constructor(
		private readonly context: RequestContext,
		credentials: ICredentialDataDecryptedObject,
	) {
		this.baseUrl = feishuBaseUrl(credentials);
		// Feishu's token answer lists what the user granted; n8n keeps the whole answer
		const scope = (credentials.oauthTokenData as { scope?: unknown } | undefined)?.scope;
		if (typeof scope === 'string' && scope.trim() !== '') this.grantedScopes = new Set(scope.split(/[\s,]+/));
	}

	async send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest> {
		while (this.renewal) await this.renewal.catch(() => undefined);
		const generation = this.generation;
		if (rejected === undefined || rejected.token !== generation) {
			return { answer: await this.sendRecovering(options, limiter, itemIndex), token: generation };
		}
		const answer = rejected.answer;
		const refreshing = this.sendRecovering(options, limiter, itemIndex, 'statusCode' in answer ? answer.statusCode : 401);
		this.renewal = refreshing;
		try {
			return { answer: await refreshing, token: generation + 1 };
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
		try {
			return await this.transmit(options, limiter, itemIndex, refreshOnStatus);
		} catch (error) {
			if (!(error instanceof RefreshFailed)) throw error;
			const storedNow = await this.storedAccessToken();
			if (storedNow !== undefined && storedNow !== storedBefore) return await this.transmit(options, limiter, itemIndex);
			throw refreshError(this.context.getNode(), error.cause, itemIndex);
		}
	}

	private async storedAccessToken(): Promise<unknown> {
		const stored = await this.context.getCredentials(USER_CREDENTIAL);
		return (stored.oauthTokenData as { access_token?: unknown } | undefined)?.access_token;
	}

	private async transmit(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, refreshOnStatus = 401): Promise<Answer> {
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
			const answered = answerIn(error);
			if (answered) return answered;
			if (findInChain(error, (link) => /oauth|refresh|reconnect/i.test(String((link as { message?: unknown }).message ?? '')))) {
				throw new RefreshFailed(error);
			}
			return { networkFailure: networkErrorSummary(unwrap(error)) };
		}
	}
}

/** n8n could not refresh the user's token (or the credential was never connected). */
class RefreshFailed extends Error {
	constructor(readonly cause: unknown) {
		super('refresh failed');
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

/** An HTTP answer carried by a thrown error (user mode lets the "expired" status throw). */
function answerIn(error: unknown): HttpAnswer | undefined {
	const carrier = findInChain(error, (link) => typeof (link as { response?: { status?: unknown } }).response?.status === 'number');
	if (!carrier) return undefined;
	const response = (carrier as { response: { status: number; headers?: unknown; data?: unknown } }).response;
	return { statusCode: response.status, headers: (response.headers ?? {}) as HttpAnswer['headers'], body: response.data };
}

/** The first error along the `cause` chain (at most 5 deep) that matches. */
function findInChain<T>(error: unknown, matches: (link: unknown) => link is T): T | undefined;
function findInChain(error: unknown, matches: (link: unknown) => boolean): unknown;
function findInChain(error: unknown, matches: (link: unknown) => boolean): unknown {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (matches(current)) return current;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function unwrap(error: unknown): unknown {
	return error instanceof NodeApiError && error.cause ? error.cause : error;
}

function credentialError(node: INode, error: Error, itemIndex?: number): NodeApiError {
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
