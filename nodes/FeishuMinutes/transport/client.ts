import type { IDataObject, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { abortableSleep } from '../helpers/abortableSleep';
import { backoffDelay, type RateLimiter, sharedLimiter } from '../helpers/RateLimiter';
import { createAuth, type FeishuAuth, type RequestContext, type SentRequest } from './auth';
import { classify, jsonBody, type HttpAnswer } from './classify';
import { type Endpoint, ENDPOINTS, type Identity, RATE_BUDGETS, type RateBudget } from './endpoints';
import { feishuApiError, type FeishuFailure } from './errors';

/** Answers of 429 / 99991400 one request waits out before it fails, apart from Max Retries. */
const RATE_LIMITED_RETRIES = 10;

export interface ClientOptions {
	/** Pace of the per-second budget (Feishu's 5/s for minutes); the search budget is fixed by Feishu. */
	requestsPerSecond: number;
	/** Retries for 5xx / 2091006 and network failures; other errors are final at once. */
	maxRetries: number;
	timeoutMs: number;
}

/** Poll while Feishu answers 2091003 (still transcribing), until ready or the deadline. */
export interface ReadyWait {
	timeoutMs: number;
	pollIntervalMs: number;
	/** Ends the wait early (a trigger closed while it waited). */
	signal?: AbortSignal;
}

/** One call of an endpoint: where, and what to send. */
export interface EndpointRequest {
	/** Path below the base URL, already encoded, e.g. /open-apis/minutes/v1/minutes/<token>/media */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
}

export interface FeishuFile {
	data: Buffer;
	headers: Record<string, string | string[] | undefined>;
}

/**
 * One per node execution or poll: sends Feishu API requests within the rate budgets, with a valid
 * token (see FeishuAuth), retrying what is worth retrying, and turns failures into n8n errors.
 */
export class FeishuClient {
	private constructor(
		private readonly context: RequestContext,
		private readonly auth: FeishuAuth,
		private readonly options: ClientOptions,
	) {}

	static async create(context: RequestContext, identity: Identity, options: ClientOptions): Promise<FeishuClient> {
		return new FeishuClient(context, await createAuth(context, identity), options);
	}

	get baseUrl(): string {
		return this.auth.baseUrl;
	}

	get node(): INode {
		return this.context.getNode();
	}

	/** Returns the envelope's `data`, or throws a mapped NodeApiError. */
	async request<T = IDataObject>(endpoint: Endpoint, request: EndpointRequest, itemIndex: number, wait?: ReadyWait): Promise<T> {
		const answer = await this.sendWithRetries(endpoint, request, itemIndex, wait);
		return (jsonBody(answer.body)?.data ?? {}) as T;
	}

	/** Like `request`, for endpoints that answer with a file: its bytes and headers. */
	async requestFile(endpoint: Endpoint, request: EndpointRequest, itemIndex: number, wait?: ReadyWait): Promise<FeishuFile> {
		const { body, headers } = await this.sendWithRetries(endpoint, request, itemIndex, wait);
		return { data: Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? '')), headers };
	}

	/** Like `request`, for answers read as text (see Endpoint.returnsText): the whole body, unparsed. */
	async requestText(endpoint: Endpoint, request: EndpointRequest, itemIndex: number): Promise<string> {
		const { body } = await this.sendWithRetries(endpoint, request, itemIndex);
		return Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : JSON.stringify(body ?? {});
	}

	/**
	 * A refused token is renewed once; rate limiting, server errors and network failures are retried
	 * with back-off up to Max Retries; with `wait`, a minute still being transcribed is polled until
	 * it is ready or the wait is over. Everything else is final.
	 */
	private async sendWithRetries(endpoint: Endpoint, request: EndpointRequest, itemIndex: number, wait?: ReadyWait): Promise<HttpAnswer> {
		if (!endpoint.identities.includes(this.auth.identity)) throw this.identityError(endpoint, itemIndex);
		const granted = this.auth.grantedScopes;
		if (granted && !endpoint.scopes.some((scope) => granted.has(scope))) throw scopeNotGranted(this.node, endpoint, granted, itemIndex);
		const options = this.httpOptions(endpoint, request);
		const limiter = this.limiterFor(endpoint.budget);
		const deadline = wait ? Date.now() + wait.timeoutMs : 0;
		let rejected: SentRequest | undefined;
		let renewed = false;
		let rateLimitedRetries = 0;
		for (let retries = 0; ; ) {
			const renewing = rejected !== undefined;
			const sent = await this.auth.send(options, limiter, itemIndex, rejected);
			rejected = undefined;
			const verdict = classify(sent.answer, { returnsFile: endpoint.returnsFile === true, baseUrl: this.baseUrl, secrets: this.auth.secrets() });
			if (verdict.kind === 'success') return sent.answer as HttpAnswer;

			if (verdict.kind === 'tokenInvalid' && !renewed) {
				renewed = true;
				rejected = sent;
				continue;
			}
			// Rate limiting has its own allowance: a burst across n8n workers ends in success, not failed items.
			if (verdict.kind === 'rateLimited' && rateLimitedRetries < RATE_LIMITED_RETRIES) {
				rateLimitedRetries++;
				limiter.backOff();
				await sleep(verdict.retryAfterMs ?? backoffDelay(rateLimitedRetries));
				continue;
			}
			const retriesLeft = retries < this.options.maxRetries;
			if (verdict.kind === 'transient' && retriesLeft) {
				retries++;
				// the renewal itself failed on the way (token endpoint down): it proved nothing, so the retry may renew again
				if (renewing) renewed = false;
				await sleep(backoffDelay(retries - 1));
				continue;
			}
			if (verdict.kind === 'notReady' && wait && !wait.signal?.aborted && Date.now() + wait.pollIntervalMs < deadline) {
				await abortableSleep(wait.pollIntervalMs, wait.signal);
				if (!wait.signal?.aborted) continue;
			}
			throw this.error(this.finalWords(verdict.kind, verdict.failure, endpoint, wait), itemIndex, endpoint);
		}
	}

	/** Failures whose meaning depends on what this client already tried. */
	private finalWords(kind: string, failure: FeishuFailure, endpoint: Endpoint, wait?: ReadyWait): FeishuFailure {
		if (kind === 'tokenInvalid') {
			const caveat = this.auth.identity === 'app' ? endpoint.appTokenCaveat : undefined;
			return { ...failure, message: 'Feishu rejected a freshly issued access token', description: caveat ?? this.auth.renewedTokenRefused };
		}
		if (kind === 'notReady' && wait) {
			const waited = Math.round(wait.timeoutMs / 1000);
			const what = endpoint.budget === 'recording' ? 'The recording' : 'The minute';
			return { ...failure, description: `${what} was still not ready after waiting ${waited} s. Raise "Ready Timeout" or try again later.` };
		}
		return failure;
	}

	private httpOptions(endpoint: Endpoint, request: EndpointRequest): IHttpRequestOptions {
		return {
			method: endpoint.method,
			url: `${this.baseUrl}${request.path}`,
			qs: request.qs,
			body: request.body,
			...(endpoint.returnsFile ? { encoding: 'arraybuffer' as const } : endpoint.returnsText ? { encoding: 'text' as const, json: false } : { json: true }),
			returnFullResponse: true,
			// Feishu reports most failures in the body's code; classify() reads them.
			ignoreHttpStatusErrors: true,
			timeout: this.options.timeoutMs,
		};
	}

	/** Feishu counts per app (and tenant): every execution in this process using the app shares one limiter. */
	private limiterFor(budget: RateBudget): RateLimiter {
		const { limit, windowMs } = RATE_BUDGETS[budget];
		// the per-second budget follows the user's Requests Per Second option
		const pace = windowMs === 1000 ? this.options.requestsPerSecond : limit;
		return sharedLimiter(`${this.baseUrl}|${this.auth.app}|${budget}`, pace, windowMs);
	}

	private error(failure: FeishuFailure, itemIndex: number, endpoint: Endpoint) {
		return feishuApiError(this.node, failure, itemIndex, endpoint);
	}

	private identityError(endpoint: Endpoint, itemIndex: number): NodeOperationError {
		const [scope] = endpoint.scopes;
		return new NodeOperationError(this.node, `${endpoint.name} needs a user's credential`, {
			itemIndex,
			description: `Feishu only answers this on behalf of a user. In "Credential to connect with", pick a Feishu OAuth2 API credential (with the scope ${scope}).`,
		});
	}
}

/**
 * The user's grant lacks every scope this endpoint takes: say so before Feishu is asked, with what
 * the connection does allow and how to add the missing scope.
 */
function scopeNotGranted(node: INode, endpoint: Endpoint, granted: ReadonlySet<string>, itemIndex: number): NodeOperationError {
	const [scope] = endpoint.scopes;
	const allowed = Object.values(ENDPOINTS as Record<string, Endpoint>)
		.filter((other) => other.identities.includes('user') && other.scopes.some((candidate) => granted.has(candidate)))
		.map((other) => other.name);
	return new NodeOperationError(node, `The Feishu connection was not granted the scope ${scope}, which ${endpoint.name} needs`, {
		itemIndex,
		description:
			`This connection can run: ${allowed.length ? allowed.join(', ') : 'nothing of this node'}. To add ${endpoint.name}: in the Feishu developer console enable ` +
			`${endpoint.scopes.join(' or ')} (Permissions & Scopes) and publish a new version, then open the credential and reconnect. ` +
			'Feishu leaves a scope the app has not enabled out of the consent page, so reconnecting alone does not add it.',
	});
}
