/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * A stand-in for Feishu's Open Platform on 127.0.0.1, at least as strict as Feishu: the token
 * endpoints, the Minutes endpoints with every documented error, scopes per token, rate limits per app
 * and endpoint, search's own budget and limits, single-use refresh tokens, and a separate file server
 * (another port, so another host to clients) for downloads. Rules are in contract.ts.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Accounts, type Caller, DEFAULT_APP, FEISHU_TOKEN_LIFETIMES, type Reply } from './accounts';
import { ENDPOINT_SCOPES, PLATFORM_ERRORS, type Rule } from './contract';
import { DEV_EVENT_SECRETS, pushEvent } from './events';
import { type DownloadFault, FileHost } from './files';
import { answerMinute, sendMediaError } from './minutes';
import type { Fault, RecordedRequest, SimulatedMinute, SimulatorOptions } from './types';
import { close, delay, drawMs, listen, readBody, sendJson } from './http';
import { searchAnswer } from './search';

export { DEFAULT_APP } from './accounts';
export { DEFAULT_CREATE_TIME, MEDIA_ERRORS, RULES, type Rule } from './contract';
export { mediaBytes, mediaChunk, transcript } from './content';
export type { Fault, RecordedRequest, SimulatedMinute, SimulatorOptions } from './types';
export type { DownloadFault } from './files';
export { DEV_EVENT_SECRETS, pushEvent, sendChallenge } from './events';

const MINUTE_PATH = /^\/open-apis\/minutes\/v1\/minutes\/([^/?]*)(\/media|\/statistics|\/transcript|\/artifacts)?(?:\?(.*))?$/;

export class FeishuSimulator {
	readonly requests: RecordedRequest[] = [];

	readonly minutes = new Map<string, SimulatedMinute>();

	readonly accounts: Accounts;

	/** Event subscription calls, in order: 'on' (subscription) or 'off' (unsubscription). */
	readonly subscriptionCalls: Array<'on' | 'off'> = [];

	/** Answers refused for the rate limit or the search budget (HTTP 429). */
	rateLimited = 0;

	/** The same, by app and endpoint. */
	readonly rateLimitedBy: Record<string, number> = {};

	/** Most API requests in flight at the same moment. */
	maxInFlight = 0;

	apiUrl = '';

	fileUrl = '';

	private inFlight = 0;

	private readonly relaxed: Set<Rule>;

	/** Request arrival times per app and budget, for the sliding windows. */
	private readonly arrivals = new Map<string, number[]>();

	private readonly faults: Fault[] = [];

	/** Paths that answer a fault until a given time (an outage), whatever the request. */
	private readonly outages: Array<{ fault: Fault; until: number }> = [];

	private apiServer?: Server;

	private fileServer?: Server;

	private readonly files: FileHost;

	constructor(private readonly options: SimulatorOptions = {}) {
		this.relaxed = new Set(options.relax ?? []);
		this.accounts = new Accounts(options.apps ?? { [DEFAULT_APP.appId]: DEFAULT_APP.appSecret }, (rule) => this.enforces(rule), {
			accessMs: options.tokenLifetimeMs ?? FEISHU_TOKEN_LIFETIMES.accessMs,
			refreshMs: options.refreshTokenLifetimeMs ?? FEISHU_TOKEN_LIFETIMES.refreshMs,
		});
		this.files = new FileHost(this.minutes, options.downloadRedirects ?? 0);
	}

	get tokenRequests(): number {
		return this.accounts.tokenRequests;
	}

	get userTokenRefreshes(): number {
		return this.accounts.userTokenRefreshes;
	}

	enforces(rule: Rule): boolean {
		return !this.relaxed.has(rule);
	}

	async start(apiPort = 0): Promise<this> {
		this.apiServer = await listen((req, res) => this.handleApi(req, res), apiPort);
		this.fileServer = await listen((req, res) => {
			this.record('file', req);
			this.files.handle(req, res);
		});
		this.apiUrl = `http://127.0.0.1:${(this.apiServer.address() as AddressInfo).port}`;
		this.fileUrl = `http://127.0.0.1:${(this.fileServer.address() as AddressInfo).port}`;
		this.files.url = this.fileUrl;
		return this;
	}

	async stop(): Promise<void> {
		await Promise.all([this.apiServer, this.fileServer].map(close));
	}

	addMinute(minute: SimulatedMinute): SimulatedMinute {
		this.minutes.set(minute.token, minute);
		return minute;
	}

	/** Every issued access token (tenant and user) becomes invalid, as after expiry. */
	revokeTokens(): void {
		this.accounts.revokeAccessTokens();
	}

	/** A user who completed consent, asking for `requestedScope`: their tokens and what was granted. */
	issueUserTokens(requestedScope: string): { access_token: string; refresh_token: string; scope: string } {
		return this.accounts.connectUser(requestedScope);
	}

	/** The default app's scopes, as enabled (and published) in the developer console. */
	setAppScopes(scopes: string[], appId = DEFAULT_APP.appId): void {
		this.accounts.apps.get(appId)!.scopes = new Set(scopes);
	}

	setAppState(state: 'active' | 'disabled' | 'notInstalled', appId = DEFAULT_APP.appId): void {
		this.accounts.apps.get(appId)!.state = state;
	}

	/** Every download URL handed out so far now answers 403, as after its day of validity. */
	expireDownloadUrls(): void {
		this.files.expireAll();
	}

	/** Every download answers this status from now on, as an expired or revoked URL does. */
	refuseDownloads(status: number): void {
		this.files.refusal = status;
	}

	/** The next download gets this answer instead of the recording (see DownloadFault). */
	injectDownloadFault(fault: DownloadFault): void {
		this.files.faults.push(fault);
	}

	/** The next API request whose path includes `fault.pathIncludes` gets this raw answer instead. */
	injectFault(fault: Fault): void {
		this.faults.push(fault);
	}

	/** Every API request whose path includes `fault.pathIncludes` gets this answer for `ms` (an outage). */
	injectOutage(fault: Fault, ms: number): void {
		const now = Date.now();
		for (let i = this.outages.length - 1; i >= 0; i--) if (this.outages[i].until <= now) this.outages.splice(i, 1);
		this.outages.push({ fault, until: now + ms });
	}

	requestsTo(pathPart: string): RecordedRequest[] {
		return this.requests.filter((request) => request.path.includes(pathPart));
	}

	/** For tests and scripts that run the simulator in another process (benchmark, real n8n). */
	stats() {
		const downloads = this.requests.filter((request) => request.server === 'file');
		return {
			tokenRequests: this.tokenRequests,
			userTokenRefreshes: this.userTokenRefreshes,
			refreshTokenReuses: this.accounts.refreshTokenReuses,
			mediaRequests: this.requestsTo('/media').length,
			rateLimited: this.rateLimited,
			maxInFlight: this.maxInFlight,
			downloads: downloads.length,
			downloadsWithAuthorization: downloads.filter((request) => request.authorization !== undefined).length,
		};
	}

	private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		res.on('close', () => this.inFlight--);
		const path = req.url ?? '/';
		const recorded = this.record('api', req);
		const body = await readBody(req);
		recorded.body = body;
		if (this.options.latencyMs) await delay(drawMs(this.options.latencyMs));

		const faultIndex = this.faults.findIndex((fault) => path.includes(fault.pathIncludes));
		const outage = this.outages.find((candidate) => path.includes(candidate.fault.pathIncludes) && Date.now() < candidate.until);
		if (faultIndex >= 0 || outage) {
			const fault = outage?.fault ?? this.faults.splice(faultIndex, 1)[0];
			if (fault.reset) {
				req.socket.destroy();
				return;
			}
			res.writeHead(fault.status ?? 500, fault.headers ?? { 'Content-Type': 'text/html' });
			// a proxy that echoes the request's token back
			res.end((fault.body ?? '').split('{{token}}').join(req.headers.authorization?.replace(/^Bearer /, '') ?? ''));
			return;
		}

		const [route, query = ''] = path.split('?', 2);
		if (route.startsWith('/__simulator/')) return this.handleControl(req.method ?? 'GET', route, body, res);
		if (req.method === 'GET' && route === '/open-apis/authen/v1/authorize') {
			const answer = this.accounts.authorize(new URLSearchParams(query));
			if ('location' in answer) {
				res.writeHead(302, { Location: answer.location });
				res.end();
				return;
			}
			return reply(res, answer);
		}
		if (req.method === 'POST' && route === '/open-apis/authen/v2/oauth/token') {
			const answer = this.accounts.userToken(body, req.headers['content-type'] ?? '');
			// the old refresh token died on arrival; the new pair takes a while to come back
			if (this.options.refreshDelayMs && /refresh_token/.test(body)) await delay(drawMs(this.options.refreshDelayMs));
			return reply(res, answer);
		}
		if (req.method === 'POST' && route === '/open-apis/auth/v3/tenant_access_token/internal') {
			return reply(res, this.accounts.tenantToken(body));
		}
		const subscription = /^\/open-apis\/minutes\/v1\/minutes\/(subscription|unsubscription)$/.exec(route);
		if (req.method === 'POST' && subscription) {
			const caller = this.admit(req, res, 'subscription');
			if (!caller) return;
			if (caller.kind !== 'user') return reply(res, { status: 400, body: { code: PLATFORM_ERRORS.tenantTokenInvalid.code, msg: PLATFORM_ERRORS.tenantTokenInvalid.msg } });
			this.subscriptionCalls.push(subscription[1] === 'subscription' ? 'on' : 'off');
			return sendJson(res, 200, { code: 0, msg: 'success', data: {} });
		}
		if (req.method === 'POST' && route === '/open-apis/minutes/v1/minutes/search') {
			const caller = this.admit(req, res, 'search');
			if (caller) reply(res, searchAnswer([...this.minutes.values()], new URLSearchParams(query), body, (rule) => this.enforces(rule)));
			return;
		}
		const minuteApi = MINUTE_PATH.exec(path);
		if (req.method === 'GET' && minuteApi) {
			const [, token, endpoint, params] = minuteApi;
			const caller = this.admit(req, res, endpoint ? endpoint.slice(1) : 'minute');
			if (!caller) return;
			if (endpoint === '/media') return await this.answerMedia(decodeURIComponent(token), res);
			return answerMinute(this.minutes.get(decodeURIComponent(token)), decodeURIComponent(token), endpoint, new URLSearchParams(params ?? ''), this.fileUrl, res);
		}
		sendJson(res, 404, { code: 404, msg: '404 page not found' });
	}

	/**
	 * The checks Feishu makes before an endpoint answers: a valid token of an installed, enabled app,
	 * one of the endpoint's scopes, and the rate budget. Answers the refusal itself.
	 */
	private admit(req: IncomingMessage, res: ServerResponse, endpoint: string): Caller | undefined {
		const caller = this.accounts.identify(req.headers.authorization, this.options.tokenErrorStatus);
		if (!('kind' in caller)) return void reply(res, caller);
		if (endpoint === 'search' && caller.kind === 'app' && this.options.searchUserOnly) {
			return void reply(res, { status: 400, body: { code: PLATFORM_ERRORS.tenantTokenInvalid.code, msg: PLATFORM_ERRORS.tenantTokenInvalid.msg } });
		}
		const accepted = ENDPOINT_SCOPES[endpoint];
		if (this.enforces('scopes') && !accepted.some((scope) => caller.scopes.has(scope))) {
			const refusal = caller.kind === 'app' ? PLATFORM_ERRORS.appScopeMissing : PLATFORM_ERRORS.userScopeMissing;
			return void reply(res, { status: refusal.status, body: { code: refusal.code, msg: `${refusal.msg}[${accepted.join(', ')}]` } });
		}
		const budget =
			endpoint === 'search'
				? this.enforces('searchBudget') && { limit: 100, windowMs: 60_000 }
				: this.enforces('rateLimits') && { limit: this.options.rateLimitPerSecond ?? 5, windowMs: 1000 };
		if (budget && budget.limit > 0 && this.overBudget(`${caller.appId} ${endpoint}`, budget.limit, budget.windowMs, res)) return undefined;
		return caller;
	}

	private handleControl(method: string, path: string, body: string, res: ServerResponse): void {
		if (method === 'GET' && path === '/__simulator/stats') return sendJson(res, 200, this.stats());
		if (method === 'POST' && path === '/__simulator/revoke-tokens') {
			this.revokeTokens();
			return sendJson(res, 200, { ok: true });
		}
		if (method === 'POST' && path === '/__simulator/push-event') {
			// `npm run dev`: Feishu pushing "a new minute" to a Request URL, as the console's event would
			const { url, minuteToken } = JSON.parse(body || '{}') as { url?: string; minuteToken?: string };
			if (!url) return sendJson(res, 400, { error: 'give {"url": the trigger\'s production URL, "minuteToken": …}' });
			void pushEvent(url, { ...DEV_EVENT_SECRETS, minuteToken, retryDelaysMs: [1000, 5000] }).then((result) => sendJson(res, 200, result));
			return;
		}
		if (method === 'POST' && path === '/__simulator/minutes') {
			this.addMinute(JSON.parse(body) as SimulatedMinute);
			return sendJson(res, 200, { ok: true });
		}
		sendJson(res, 404, { error: 'unknown control path' });
	}

	private async answerMedia(minuteToken: string, res: ServerResponse): Promise<void> {
		if (minuteToken.length !== 24) return sendMediaError(res, 2091001);
		const minute = this.minutes.get(minuteToken);
		if (!minute) return sendMediaError(res, 2091002);
		if (minute.latencyMs) await delay(minute.latencyMs);
		if (minute.mediaError) return sendMediaError(res, minute.mediaError);
		if (minute.readyAfterPolls) {
			minute.readyAfterPolls--;
			return sendMediaError(res, 2091003);
		}

		sendJson(res, 200, { code: 0, msg: 'success', data: { download_url: this.files.issueUrl(minute.token) } });
	}

	/** A sliding window per app and budget, as Feishu's gateway enforces "N requests per second / minute". */
	private overBudget(key: string, limit: number, windowMs: number, res: ServerResponse): boolean {
		const now = Date.now();
		const recent = (this.arrivals.get(key) ?? []).filter((at) => now - at < windowMs);
		this.arrivals.set(key, recent);
		if (recent.length < limit) {
			recent.push(now);
			return false;
		}
		this.rateLimited++;
		this.rateLimitedBy[key] = (this.rateLimitedBy[key] ?? 0) + 1;
		res.setHeader('x-ogw-ratelimit-limit', String(limit));
		res.setHeader('x-ogw-ratelimit-reset', String(Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000))));
		const { status, code, msg } = PLATFORM_ERRORS.rateLimited;
		sendJson(res, status, { code, msg });
		return true;
	}

	private record(server: 'api' | 'file', req: IncomingMessage): RecordedRequest {
		const recorded = { server, method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization, at: Date.now() };
		this.requests.push(recorded);
		return recorded;
	}
}

function reply(res: ServerResponse, { status, body }: Reply): void {
	sendJson(res, status, body);
}
