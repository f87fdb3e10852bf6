import { createHash } from 'crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { feishuBaseUrl, FeishuTokenError, networkErrorSummary } from '../../../credentials/feishuAuth';
import type { RateLimiter } from '../helpers/RateLimiter';
import type { FeishuAuth, RequestContext, SentRequest } from './auth';
import { type Answer, answerIn, findInChain, type HttpAnswer, unwrap } from './classify';
import { credentialError } from './errors';

export const TENANT_CREDENTIAL = 'feishuApi';

/** What this process knows of one app's tenant token, shared by all its executions. */
interface TokenSlot {
	/** The newest token an execution here fetched, and when. */
	fresh?: { token: string; at: number };
	/** Tokens Feishu refused lately: no execution here sends them again. */
	refused: string[];
	/** The request that is fetching a new token; every other request of the app waits for it. */
	renewal?: Promise<unknown>;
	usedAt: number;
}

/** Refused tokens remembered per slot. */
const MAX_REFUSED = 8;

/** Slots unused this long are dropped (tenant tokens live two hours). */
const SLOT_IDLE_MS = 2 * 3600 * 1000;

const slots = new Map<string, TokenSlot>();

/** The app's slot; the key includes a digest of the secret, so a credential with a wrong secret shares nothing. */
function slotFor(baseUrl: string, credentials: ICredentialDataDecryptedObject): TokenSlot {
	const now = Date.now();
	for (const [key, slot] of slots) if (now - slot.usedAt > SLOT_IDLE_MS && !slot.renewal) slots.delete(key);
	const digest = createHash('sha256').update(String(credentials.appSecret)).digest('hex').slice(0, 16);
	const key = `${baseUrl}|${String(credentials.appId)}|${digest}`;
	let slot = slots.get(key);
	if (!slot) slots.set(key, (slot = { refused: [], usedAt: now }));
	slot.usedAt = now;
	return slot;
}

/**
 * The app's tenant token. n8n fetches it through the credential's preAuthentication when the stored
 * token is empty, and stores it with the credential, so it is reused across items, executions and
 * n8n processes. Within one process, every execution of the app shares one token and one fetch.
 */
export class TenantAuth implements FeishuAuth {
	readonly identity = 'app';

	readonly baseUrl: string;

	readonly app: string;

	readonly renewedTokenRefused =
		'The credential worked for getting a token, but Feishu refuses it for this API. Check that the credential\'s deployment (Feishu / Lark / Base URL) is the one the app belongs to.';

	private readonly slot: TokenSlot;

	/** A token fetch that failed (e.g. wrong secret) fails every later request of this execution the same way. */
	private failure?: FeishuTokenError;

	constructor(
		private readonly context: RequestContext,
		private readonly credentials: ICredentialDataDecryptedObject,
	) {
		this.baseUrl = feishuBaseUrl(credentials);
		this.app = String(credentials.appId);
		this.slot = slotFor(this.baseUrl, credentials);
	}

	secrets(): string[] {
		return [this.credentials.appSecret, this.credentials.tenantAccessToken, this.slot.fresh?.token].filter((value): value is string => typeof value === 'string');
	}

	async send(options: IHttpRequestOptions, limiter: RateLimiter, itemIndex: number, rejected?: SentRequest): Promise<SentRequest> {
		const slot = this.slot;
		while (slot.renewal) await slot.renewal.catch(() => undefined);
		if (this.failure) throw credentialError(this.context.getNode(), this.failure, itemIndex);

		const sentAt = Date.now();
		const current = rejected === undefined ? this.tokenToUse() : this.tokenAfterRefusal(rejected);
		if (current) {
			return { answer: await this.transmit(options, limiter, { ...this.credentials, tenantAccessToken: current }, itemIndex), token: current, sentAt };
		}
		// The renewing request gets its own copy without a token, so n8n fetches (and stores) one for it
		// alone; requests already on their way keep the token they have.
		const renewing = { ...this.credentials, tenantAccessToken: '' };
		const sending = this.transmit(options, limiter, renewing, itemIndex, true);
		slot.renewal = sending;
		try {
			const answer = await sending;
			if (renewing.tenantAccessToken) slot.fresh = { token: String(renewing.tenantAccessToken), at: Date.now() };
			return { answer, token: renewing.tenantAccessToken, sentAt };
		} finally {
			slot.renewal = undefined;
		}
	}

	/**
	 * A first try: the stored token (perhaps fetched by another n8n process), else one fetched here —
	 * tenant tokens do not replace each other, so any not yet refused will do.
	 */
	private tokenToUse(): string | undefined {
		return [this.credentials.tenantAccessToken, this.slot.fresh?.token].find(
			(token): token is string => typeof token === 'string' && token !== '' && !this.slot.refused.includes(token),
		);
	}

	/** After a refusal only a token fetched here since that request went out is worth a try; else fetch one. */
	private tokenAfterRefusal(rejected: SentRequest): string | undefined {
		const slot = this.slot;
		if (typeof rejected.token === 'string' && !slot.refused.includes(rejected.token)) {
			slot.refused = [...slot.refused.slice(-(MAX_REFUSED - 1)), rejected.token];
		}
		const fresh = slot.fresh;
		return fresh && fresh.at >= rejected.sentAt && !slot.refused.includes(fresh.token) ? fresh.token : undefined;
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
			limiter.answered(slot, !fetchesToken);
			// Its request went out only after the token arrived; count it from now, conservatively.
			if (fetchesToken) limiter.restart(slot);
		}
	}
}
