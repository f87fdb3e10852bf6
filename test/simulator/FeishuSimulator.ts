/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * A stand-in for Feishu's Open Platform on 127.0.0.1, at least as strict as Feishu: the token
 * endpoints, the Minutes endpoints with every documented error, the VC and calendar endpoints (meetings.ts,
 * calendar.ts), scopes per token, rate limits per app and endpoint, search's own budget and limits, single-use
 * refresh tokens, a separate file server (another port, so another host to clients) for downloads, and the long
 * connection (longConnection.ts: endpoint + WebSocket server on its own port). Rules are in contract.ts.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Accounts, type Caller, DEFAULT_APP, FEISHU_TOKEN_LIFETIMES, type Reply } from './accounts';
import { Budgets } from './budgets';
import { calendarRoute } from './calendar';
import { ENDPOINT_BUDGETS, ENDPOINT_SCOPES, PLATFORM_ERRORS, type Rule } from './contract';
import { handleControl } from './control';
import { Faults } from './faults';
import { type DownloadFault, FileHost } from './files';
import { meetingRoute, sendAnswer } from './meetings';
import { LongConnectionServer } from './longConnection';
import { answerMedia, answerMinute } from './minutes';
import type { Fault, RecordedRequest, SimulatedMeeting, SimulatedMinute, SimulatorOptions } from './types';
import { close, delay, drawMs, listen, readBody, sendJson } from './http';
import { searchAnswer } from './search';

export { DEFAULT_APP } from './accounts';
export { DEFAULT_CREATE_TIME, DEFAULT_MEETING_START, DEFAULT_USER_OPEN_ID, MEDIA_ERRORS, RULES, VC_ERRORS, type Rule } from './contract';
export { mediaBytes, mediaChunk, transcript } from './content';
export type { Fault, LongConnectionOptions, RecordedRequest, SimulatedMeeting, SimulatedMinute, SimulatorOptions } from './types';
export type { DownloadFault } from './files';
export { DEV_EVENT_SECRETS, MEETING_ENDED_EVENT, meetingEndedEvent, pushEvent, sendChallenge } from './events';
export { primaryCalendarId } from './calendar';
export { type ClientConfig, feishuEvent, LongConnectionServer, minuteEvent, type LongConnectionAck, type LongConnectionPushOptions, type LongConnectionPushResult } from './longConnection';

const MINUTE_PATH = /^\/open-apis\/minutes\/v1\/minutes\/([^/?]*)(\/media|\/statistics|\/transcript|\/artifacts)?(?:\?(.*))?$/;

export class FeishuSimulator {
	readonly requests: RecordedRequest[] = [];

	readonly minutes = new Map<string, SimulatedMinute>();

	readonly meetings = new Map<string, SimulatedMeeting>();

	readonly accounts: Accounts;

	/** Feishu's long connection: the endpoint's answers and the WebSocket server (see longConnection.ts). */
	readonly longConnection: LongConnectionServer;

	/** Event subscription calls, in order: 'on' (subscription) or 'off' (unsubscription). */
	readonly subscriptionCalls: Array<'on' | 'off'> = [];

	/** Most API requests in flight at the same moment. */
	maxInFlight = 0;

	apiUrl = '';

	fileUrl = '';

	private inFlight = 0;

	private readonly relaxed: Set<Rule>;

	private readonly budgets = new Budgets();

	private readonly faults = new Faults();

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
		this.longConnection = new LongConnectionServer(options.longConnection ?? {}, this.accounts.apps, (rule) => this.enforces(rule));
	}

	get tokenRequests(): number {
		return this.accounts.tokenRequests;
	}

	/** Answers refused for a rate limit or the search budget (HTTP 429). */
	get rateLimited(): number {
		return this.budgets.rateLimited;
	}

	/** The same, by app and endpoint. */
	get rateLimitedBy(): Record<string, number> {
		return this.budgets.rateLimitedBy;
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
		await this.longConnection.start();
		return this;
	}

	async stop(): Promise<void> {
		await Promise.all([...[this.apiServer, this.fileServer].map(close), this.longConnection.stop()]);
	}

	addMinute(minute: SimulatedMinute): SimulatedMinute {
		this.minutes.set(minute.token, minute);
		return minute;
	}

	addMeeting(meeting: SimulatedMeeting): SimulatedMeeting {
		this.meetings.set(meeting.id, meeting);
		return meeting;
	}

	/** Every issued access token (tenant and user) becomes invalid, as after expiry. */
	revokeTokens(): void {
		this.accounts.revokeAccessTokens();
	}

	/** A user (default DEFAULT_USER_OPEN_ID) who completed consent, asking for `requestedScope`: their tokens and what was granted. */
	issueUserTokens(requestedScope: string, openId?: string): { access_token: string; refresh_token: string; scope: string } {
		return this.accounts.connectUser(requestedScope, openId);
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
		this.faults.inject(fault);
	}

	/** Every API request whose path includes `fault.pathIncludes` gets this answer for `ms` (an outage). */
	injectOutage(fault: Fault, ms: number): void {
		this.faults.outage(fault, ms);
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
			recordingRequests: this.requestsTo('/recording').length,
			rateLimited: this.rateLimited,
			maxInFlight: this.maxInFlight,
			downloads: downloads.length,
			downloadsWithAuthorization: downloads.filter((request) => request.authorization !== undefined).length,
			longConnection: this.longConnection.stats(),
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

		if (this.faults.answered(path, req, res)) return;

		const [route, query = ''] = path.split('?', 2);
		if (route.startsWith('/__simulator/')) return handleControl(this, req.method ?? 'GET', route, body, res);
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
		if (req.method === 'POST' && route === '/callback/ws/endpoint') return sendJson(res, 200, this.longConnection.endpoint(body));
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
		const meetingApi = meetingRoute(req.method ?? 'GET', route) ?? calendarRoute(req.method ?? 'GET', route);
		if (meetingApi) {
			const caller = this.admit(req, res, meetingApi.endpoint);
			const request = { param: meetingApi.param, query: new URLSearchParams(query), body, meetings: this.meetings, enforces: (rule: Rule) => this.enforces(rule) };
			if (caller) sendAnswer(res, meetingApi.answer({ ...request, caller }));
			return;
		}
		const minuteApi = MINUTE_PATH.exec(path);
		if (req.method === 'GET' && minuteApi) {
			const [, token, endpoint, params] = minuteApi;
			const caller = this.admit(req, res, endpoint ? endpoint.slice(1) : 'minute');
			if (!caller) return;
			const minute = this.minutes.get(decodeURIComponent(token));
			if (endpoint === '/media') return await answerMedia(minute, decodeURIComponent(token), (issued) => this.files.issueUrl(issued), res);
			return answerMinute(minute, decodeURIComponent(token), endpoint, new URLSearchParams(params ?? ''), this.fileUrl, res);
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
				? this.enforces('searchBudget') && [{ limit: 100, windowMs: 60_000 }]
				: this.enforces('rateLimits') && (ENDPOINT_BUDGETS[endpoint] ?? [{ limit: this.options.rateLimitPerSecond ?? 5, windowMs: 1000 }]);
		const counted = budget ? budget.filter(({ limit }) => limit > 0) : [];
		return counted.length && this.budgets.over(`${caller.appId} ${endpoint}`, counted, res) ? undefined : caller;
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
