import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { feishuBaseUrl, FeishuTokenError, networkErrorSummary } from '../../../credentials/feishuAuth';
import type { RateLimiter } from '../helpers/RateLimiter';
import type { FeishuAuth, RequestContext, SentRequest } from './auth';
import { type Answer, answerIn, findInChain, type HttpAnswer, unwrap } from './classify';
import { credentialError } from './errors';

export const TENANT_CREDENTIAL = 'feishuApi';

/**
 * The app's tenant token. n8n fetches it through the credential's preAuthentication when the stored
 * token is empty, and stores it with the credential, so it is reused across items and executions.
 */
export class TenantAuth implements FeishuAuth {
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

	secrets(): string[] {
		return [this.credentials.appSecret, this.credentials.tenantAccessToken].filter((value): value is string => typeof value === 'string');
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
