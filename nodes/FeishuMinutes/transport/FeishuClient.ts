import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IPollFunctions,
	IHttpRequestOptions,
	INode,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { feishuBaseUrl, FeishuTokenError, networkErrorSummary } from '../../../credentials/feishuAuth';
import { feishuApiError, NOT_READY_CODE, RATE_LIMITED_CODE, SERVER_ERROR_CODE, TOKEN_INVALID_CODES } from './errors';
import { backoffDelay, RateLimiter } from './RateLimiter';

export const TENANT_CREDENTIAL = 'feishuApi';

export const USER_CREDENTIAL = 'feishuOAuth2Api';

/** The node's Authentication parameter: the app's tenant token, or a user's token through OAuth2. */
export type Authentication = 'tenantToken' | 'userOAuth2';

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** The request never got an answer (connection refused or reset, timeout). */
interface NoResponse {
	networkFailure: string;
}

export interface ClientOptions {
	requestsPerSecond: number;
	/** Retries for rate limiting, 5xx / 2091006 and network failures; other errors are final at once. */
	maxRetries: number;
	timeoutMs: number;
}

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = { requestsPerSecond: 5, maxRetries: 3, timeoutMs: 60_000 };

/** Poll while Feishu answers 2091003 (still transcribing), until ready or the deadline. */
export interface ReadyWait {
	timeoutMs: number;
	pollIntervalMs: number;
}

export interface FeishuRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, already encoded, e.g. /open-apis/minutes/v1/minutes/<token>/media */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** The endpoint answers with a file (e.g. a transcript) on success, JSON only on errors. */
	returnsFile?: boolean;
}

export interface FeishuFile {
	data: Buffer;
	headers: Record<string, string | string[] | undefined>;
}

/**
 * One per node execution: all items share the credential object, so a token fetched or refreshed
 * for one item is the token every other item uses, and n8n stores it for the next execution.
 */
export class FeishuClient {
	readonly baseUrl: string;

	/** The request that is currently fetching a new token; others wait for it instead of fetching their own. */
	private tokenFetch?: Promise<unknown>;

	/** A token fetch that failed (e.g. wrong secret) fails every later request of this execution the same way. */
	private tokenFailure?: FeishuTokenError;

	private readonly limiter: RateLimiter;

	/** User mode: counts OAuth2 refreshes, so a request rejected with an older token just retries. */
	private userTokenGeneration = 0;

	private constructor(
		private readonly context: IExecuteFunctions | IPollFunctions,
		private readonly credentialType: string,
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly options: ClientOptions,
	) {
		this.baseUrl = feishuBaseUrl(credentials);
		this.limiter = new RateLimiter(options.requestsPerSecond);
	}

	static async create(
		context: IExecuteFunctions | IPollFunctions,
		authentication: Authentication = 'tenantToken',
		options: ClientOptions = DEFAULT_CLIENT_OPTIONS,
	): Promise<FeishuClient> {
		const credentialType = authentication === 'userOAuth2' ? USER_CREDENTIAL : TENANT_CREDENTIAL;
		const credentials = await context.getCredentials(credentialType);
		try {
			return new FeishuClient(context, credentialType, credentials, options);
		} catch (error) {
			throw credentialError(context.getNode(), error as Error);
		}
	}

	private get userMode(): boolean {
		return this.credentialType === USER_CREDENTIAL;
	}

	get node(): INode {
		return this.context.getNode();
	}

	/**
	 * Sends a Feishu API request within the rate limit and returns the envelope's `data`, or throws a
	 * mapped NodeApiError. Rate limiting, server errors and network failures are retried with
	 * back-off; with `wait`, a minute that is still being transcribed is polled until it is ready.
	 */
	async request<T = IDataObject>(request: FeishuRequest, itemIndex: number, wait?: ReadyWait): Promise<T> {
		const response = await this.sendWithRetries(request, itemIndex, wait);
		return (jsonBody(response.body)?.data ?? {}) as T;
	}

	/** Like `request`, for endpoints that answer with a file: its bytes and headers. */
	async requestFile(request: FeishuRequest, itemIndex: number, wait?: ReadyWait): Promise<FeishuFile> {
		const response = await this.sendWithRetries({ ...request, returnsFile: true }, itemIndex, wait);
		const body = response.body;
		return { data: Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? '')), headers: response.headers };
	}

	private async sendWithRetries(request: FeishuRequest, itemIndex: number, wait?: ReadyWait): Promise<FullResponse> {
		const deadline = wait ? Date.now() + wait.timeoutMs : 0;
		for (let retries = 0; ; ) {
			const response = await this.sendWithValidToken(request, itemIndex);
			const failure = this.failureOf(response, itemIndex, request.returnsFile === true);
			if (!failure) return response as FullResponse;

			const retriesLeft = retries < this.options.maxRetries;
			if (failure.kind === 'rateLimited' && retriesLeft) {
				retries++;
				this.limiter.pauseUntil(Date.now() + retryAfterMs(response as FullResponse, retries));
				continue;
			}
			if (failure.kind === 'transient' && retriesLeft) {
				retries++;
				await sleep(backoffDelay(retries - 1));
				continue;
			}
			if (failure.kind === 'notReady' && wait && Date.now() + wait.pollIntervalMs < deadline) {
				await sleep(wait.pollIntervalMs);
				continue;
			}
			if (failure.kind === 'notReady' && wait) {
				failure.error.description = `The minute was still not ready after waiting ${Math.round(wait.timeoutMs / 1000)} s. Raise "Ready Timeout" or try again later.`;
			}
			throw failure.error;
		}
	}

	private failureOf(
		response: FullResponse | NoResponse,
		itemIndex: number,
		returnsFile: boolean,
	): { kind: 'rateLimited' | 'transient' | 'notReady' | 'final'; error: NodeApiError } | undefined {
		if ('networkFailure' in response) {
			return {
				kind: 'transient',
				error: feishuApiError(this.node, {
					httpCode: 0,
					message: `Could not reach Feishu at ${this.baseUrl}`,
					description: `The request failed before Feishu answered (${response.networkFailure}). Check the credential's deployment / Base URL and the network, then try again.`,
				}, itemIndex),
			};
		}
		if (returnsFile && response.statusCode < 300 && !isJson(response)) return undefined;
		const body = jsonBody(response.body);
		if (!body || typeof body.code !== 'number') {
			return {
				kind: response.statusCode === 429 ? 'rateLimited' : response.statusCode >= 500 ? 'transient' : 'final',
				error: feishuApiError(this.node, {
					httpCode: response.statusCode,
					message: `Feishu answered HTTP ${response.statusCode} with something that is not a Feishu API response`,
					description:
						'This usually comes from a gateway or proxy in front of Feishu, or from a wrong Base URL in the credential. ' +
						`Body starts with: ${describeBody(response.body)}`,
				}, itemIndex),
			};
		}
		if (body.code === 0) return undefined;

		const error = feishuApiError(this.node, {
			httpCode: response.statusCode,
			feishuCode: body.code,
			feishuMessage: String(body.msg ?? ''),
		}, itemIndex);
		if (body.code === RATE_LIMITED_CODE || response.statusCode === 429) return { kind: 'rateLimited', error };
		if (body.code === NOT_READY_CODE) return { kind: 'notReady', error };
		if (body.code === SERVER_ERROR_CODE || response.statusCode >= 500) return { kind: 'transient', error };
		return { kind: 'final', error };
	}

	/** Sends once; when Feishu says the token is invalid or expired, gets one new token and retries once. */
	private async sendWithValidToken(request: FeishuRequest, itemIndex: number): Promise<FullResponse | NoResponse> {
		const first = await this.sendAuthenticated(request, itemIndex, false);
		if (!isTokenRejected(first.response)) return first.response;

		const retry = await this.sendAuthenticated(request, itemIndex, true, first.tokenUsed, first.response);
		if (!isTokenRejected(retry.response) || 'networkFailure' in retry.response) return retry.response;

		const body = jsonBody(retry.response.body);
		throw feishuApiError(
			this.node,
			{
				httpCode: retry.response.statusCode,
				feishuCode: typeof body?.code === 'number' ? body.code : undefined,
				feishuMessage: typeof body?.msg === 'string' ? body.msg : undefined,
				message: 'Feishu rejected a freshly issued access token',
				description: this.userMode
					? 'Feishu refuses the user\'s token even after a refresh. Reconnect the Feishu OAuth2 credential (Sign in with Feishu again).'
					: 'The credential worked for getting a token, but Feishu refuses it for this API. Check that the credential\'s deployment (Feishu / Lark / Base URL) is the one the app belongs to.',
			},
			itemIndex,
		);
	}

	/**
	 * Sends with the current token. Only one request at a time may fetch a new token: n8n's
	 * preAuthentication runs when the stored token is empty, so the fetching request empties it and
	 * the others wait for that request to settle, then use the token it stored.
	 */
	private async sendAuthenticated(
		request: FeishuRequest,
		itemIndex: number,
		tokenRejected: boolean,
		rejectedToken?: unknown,
		rejection?: FullResponse | NoResponse,
	): Promise<{ response: FullResponse | NoResponse; tokenUsed: unknown }> {
		while (this.tokenFetch) await this.tokenFetch.catch(() => undefined);
		if (this.tokenFailure) throw credentialError(this.node, this.tokenFailure, itemIndex);
		if (this.userMode) return await this.sendAsUser(request, itemIndex, tokenRejected, rejectedToken, rejection);

		const mustFetch =
			!this.credentials.tenantAccessToken ||
			(tokenRejected && this.credentials.tenantAccessToken === rejectedToken);
		if (!mustFetch) {
			const tokenUsed = this.credentials.tenantAccessToken;
			return { response: await this.send(request, itemIndex), tokenUsed };
		}

		this.credentials.tenantAccessToken = '';
		const fetching = this.send(request, itemIndex, true);
		this.tokenFetch = fetching;
		try {
			const response = await fetching;
			return { response, tokenUsed: this.credentials.tenantAccessToken };
		} finally {
			this.tokenFetch = undefined;
		}
	}

	/**
	 * User tokens are refreshed by n8n's OAuth2 support, which does so only when a request fails with
	 * a given HTTP status. Feishu signals an expired user token in the body, with varying statuses, so
	 * a rejected request is sent once more, telling n8n to treat that status as "token expired": n8n
	 * refreshes (rotating the single-use refresh token), stores the new token and retries. One item
	 * refreshes at a time; the others wait and then use the stored token.
	 */
	private async sendAsUser(
		request: FeishuRequest,
		itemIndex: number,
		tokenRejected: boolean,
		rejectedGeneration: unknown,
		rejection?: FullResponse | NoResponse,
	): Promise<{ response: FullResponse | NoResponse; tokenUsed: unknown }> {
		const generation = this.userTokenGeneration;
		if (!tokenRejected || generation !== rejectedGeneration) {
			return { response: await this.send(request, itemIndex), tokenUsed: generation };
		}
		const status = rejection && 'statusCode' in rejection ? rejection.statusCode : 401;
		const refreshing = this.send(request, itemIndex, false, status);
		this.tokenFetch = refreshing;
		try {
			return { response: await refreshing, tokenUsed: generation + 1 };
		} finally {
			this.userTokenGeneration = generation + 1;
			this.tokenFetch = undefined;
		}
	}

	private async send(
		request: FeishuRequest,
		itemIndex: number,
		fetchesToken = false,
		refreshOnStatus = 401,
	): Promise<FullResponse | NoResponse> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			qs: request.qs,
			body: request.body,
			...(request.returnsFile ? { encoding: 'arraybuffer' as const } : { json: true }),
			returnFullResponse: true,
			// Feishu reports most failures in the body's code; we read them ourselves.
			ignoreHttpStatusErrors: true,
			timeout: this.options.timeoutMs,
		};
		// The slot is taken right before sending, after any wait for another item's token fetch.
		const slot = await this.limiter.acquire();
		try {
			if (this.userMode) {
				// n8n's OAuth2 refresh needs the request to fail with the status that means "expired"
				options.ignoreHttpStatusErrors = { ignore: true, except: [refreshOnStatus] };
				return (await this.context.helpers.httpRequestWithAuthentication.call(this.context, USER_CREDENTIAL, options, {
					oauth2: { tokenExpiredStatusCode: refreshOnStatus },
				})) as FullResponse;
			}
			return (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				TENANT_CREDENTIAL,
				options,
				{
					credentialsDecrypted: {
						id: this.node.credentials?.[TENANT_CREDENTIAL]?.id ?? '',
						name: this.node.credentials?.[TENANT_CREDENTIAL]?.name ?? '',
						type: TENANT_CREDENTIAL,
						data: this.credentials,
					},
					// Never let n8n refresh on its own: the status alone cannot tell a token error (see above).
					preAuthenticationRetryStatusCode: [],
				},
			)) as FullResponse;
		} catch (error) {
			const answered = responseIn(error);
			if (answered) return answered;
			if (this.userMode && isOAuthFailure(error)) {
				throw feishuApiError(
					this.node,
					{
						httpCode: 401,
						message: 'The Feishu user token could not be refreshed',
						description:
							'Reconnect the Feishu OAuth2 credential (Sign in with Feishu again). Refresh tokens expire after 7 days unused, and authorization after 365 days; the app also needs "offline_access".',
					},
					itemIndex,
				);
			}
			const tokenError = findTokenError(error);
			if (tokenError) {
				// Only a token fetch can fail this way; later requests of this execution fail alike.
				this.tokenFailure = tokenError;
				throw credentialError(this.node, tokenError, itemIndex);
			}
			return { networkFailure: networkErrorSummary(unwrap(error)) };
		} finally {
			// Its request went out only after the token arrived; count it from now, conservatively.
			if (fetchesToken) this.limiter.restart(slot);
		}
	}
}

function isTokenRejected(response: FullResponse | NoResponse): boolean {
	if ('networkFailure' in response) return false;
	const body = jsonBody(response.body);
	if (body && typeof body.code === 'number') return TOKEN_INVALID_CODES.has(body.code);
	return response.statusCode === 401;
}

function isJson(response: FullResponse): boolean {
	const type = response.headers?.['content-type'];
	return /json/i.test(Array.isArray(type) ? type.join(';') : (type ?? ''));
}

/** n8n hands back parsed JSON, a string (when parsing failed) or a Buffer. */
function jsonBody(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as IDataObject;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' ? (parsed as IDataObject) : undefined;
	} catch {
		return undefined;
	}
}

/** Feishu's gateway says when the window frees up (x-ogw-ratelimit-reset, seconds); else back off. */
function retryAfterMs(response: FullResponse, attempt: number): number {
	const reset = Number(response.headers?.['x-ogw-ratelimit-reset']);
	if (Number.isFinite(reset) && reset > 0) return Math.min(reset, 60) * 1000;
	return backoffDelay(attempt);
}

function describeBody(body: unknown): string {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
	if (text.trim() === '') return '(empty body)';
	const squeezed = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
	return JSON.stringify(squeezed.length > 160 ? `${squeezed.slice(0, 160)}…` : squeezed);
}

/** An HTTP answer carried by a thrown error (user mode lets the "expired" status throw). */
function responseIn(error: unknown): FullResponse | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const response = (current as { response?: { status?: unknown; headers?: unknown; data?: unknown } }).response;
		if (response && typeof response.status === 'number') {
			return {
				statusCode: response.status,
				headers: (response.headers ?? {}) as FullResponse['headers'],
				body: response.data,
			};
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** n8n's OAuth2 layer failing: not connected, or the refresh itself refused. */
function isOAuthFailure(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const message = String((current as { message?: unknown }).message ?? '');
		if (/oauth|refresh|reconnect/i.test(message)) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

function unwrap(error: unknown): unknown {
	return error instanceof NodeApiError && error.cause ? error.cause : error;
}

function findTokenError(error: unknown): FeishuTokenError | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (current instanceof FeishuTokenError) return current;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
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
