import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { RateLimiter } from '../helpers/RateLimiter';
import type { Answer } from './classify';
import type { Identity } from './endpoints';
import { credentialError } from './errors';
import { TENANT_CREDENTIAL, TenantAuth } from './tenantAuth';
import { USER_CREDENTIAL, UserAuth } from './userAuth';

/** One request as sent: what came back, which token (or token generation) it carried, and when it went out. */
export interface SentRequest {
	answer: Answer;
	token: unknown;
	sentAt: number;
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
	/** The app whose budget the requests spend (a user's requests count against the app they signed in to). */
	readonly app: string;
	/** What the user should do when Feishu refuses even a freshly issued token. */
	readonly renewedTokenRefused: string;
	/** Values no error may quote: the app secret and the tokens in use. */
	secrets(): string[];
	/** The scopes the token carries, where Feishu said so (a user's grant); unknown for the app. */
	readonly grantedScopes?: ReadonlySet<string>;
	send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest>;
}

/** Every n8n context a request may come from: a run, a poll, a webhook, its (de)registration, a trigger, an editor list. */
export type RequestContext = IExecuteFunctions | IPollFunctions | IWebhookFunctions | IHookFunctions | ITriggerFunctions | ILoadOptionsFunctions;

export async function createAuth(context: RequestContext, identity: Identity): Promise<FeishuAuth> {
	const credentials = await context.getCredentials(identity === 'user' ? USER_CREDENTIAL : TENANT_CREDENTIAL);
	try {
		return identity === 'user' ? new UserAuth(context, credentials) : new TenantAuth(context, credentials);
	} catch (error) {
		throw credentialError(context.getNode(), error as Error);
	}
}
