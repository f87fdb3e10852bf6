/**
 * A stand-in for Feishu's Open Platform on 127.0.0.1, at least as strict as Feishu: the token
 * endpoints, the Minutes endpoints with every documented error, scopes per token, rate limits per app
 * and endpoint, search's own budget and limits, single-use refresh tokens, and a separate file server
 * (another port, so another host to clients) for downloads. Rules are in contract.ts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Accounts, type Caller, DEFAULT_APP, type Reply } from './accounts';
import { mediaBytes, streamMediaBytes, transcript } from './content';
import { DEFAULT_CREATE_TIME, ENDPOINT_SCOPES, MEDIA_ERRORS, PLATFORM_ERRORS, type Rule } from './contract';
import { asciiFallback, close, delay, listen, readBody, sendJson } from './http';
import { searchAnswer } from './search';

export { DEFAULT_APP } from './accounts';
export { DEFAULT_CREATE_TIME, MEDIA_ERRORS, RULES, type Rule } from './contract';
export { mediaBytes, mediaChunk, transcript } from './content';

export interface SimulatedMinute {
	token: string;
	title?: string;
	/** Bytes of the recording (generated from the token, so tests can recompute them). */
	size?: number;
	contentType?: string;
	/** Full Content-Disposition header; `null` sends none. Default: the title as filename and filename*. */
	contentDisposition?: string | null;
	/** The media endpoint answers this documented error code instead of a URL. */
	mediaError?: number;
	/** Still transcribing: the first N media requests answer 2091003. */
	readyAfterPolls?: number;
	/** Extra delay for this minute's media answers (to make answers arrive out of order). */
	latencyMs?: number;
	/** The file server drops the connection after this many bytes, short of Content-Length. */
	cutDownloadAfter?: number;
	/** Creation time (ms since epoch, Feishu's clock), for search; default 2024-11-24T00:00:00Z. */
	createTime?: number;
}

export interface SimulatorOptions {
	apps?: Record<string, string>;
	/** Rules of contract.ts this simulator does not enforce. */
	relax?: Rule[];
	/** Delay before each API answer. */
	latencyMs?: number;
	/** Requests per second per app and Minutes endpoint (Feishu: 5). */
	rateLimitPerSecond?: number;
	/** HTTP status sent with codes 99991663 / 99991677 (Feishu does not document it). */
	tokenErrorStatus?: number;
	/** Download URLs answer with this many 302 hops before the file. */
	downloadRedirects?: number;
	/** Search refuses app tokens, as older deployments did (99991663). */
	searchUserOnly?: boolean;
}

/** A raw answer that replaces the next API answer on a matching path (gateway pages, bad JSON…). */
export interface Fault {
	pathIncludes: string;
	status?: number;
	body?: string;
	headers?: Record<string, string>;
	/** Drop the connection instead of answering (a connection reset). */
	reset?: boolean;
}

export interface RecordedRequest {
	server: 'api' | 'file';
	method: string;
	path: string;
	authorization?: string;
	body?: string;
	at: number;
}

const MINUTE_PATH = /^\/open-apis\/minutes\/v1\/minutes\/([^/?]*)(\/media|\/statistics|\/transcript|\/artifacts)?(?:\?(.*))?$/;

export class FeishuSimulator {
	readonly requests: RecordedRequest[] = [];

	readonly minutes = new Map<string, SimulatedMinute>();

	readonly accounts: Accounts;

	/** Answers refused for the rate limit or the search budget (HTTP 429). */
	rateLimited = 0;

	/** Most API requests in flight at the same moment. */
	maxInFlight = 0;

	apiUrl = '';

	fileUrl = '';

	private inFlight = 0;

	private readonly relaxed: Set<Rule>;

	private readonly downloadCodes = new Map<string, string>();

	/** Request arrival times per app and budget, for the sliding windows. */
	private readonly arrivals = new Map<string, number[]>();

	private readonly faults: Fault[] = [];

	private downloadRefusal?: number;

	private apiServer?: Server;

	private fileServer?: Server;

	constructor(private readonly options: SimulatorOptions = {}) {
		this.relaxed = new Set(options.relax ?? []);
		this.accounts = new Accounts(options.apps ?? { [DEFAULT_APP.appId]: DEFAULT_APP.appSecret }, (rule) => this.enforces(rule));
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
		this.fileServer = await listen((req, res) => this.handleFile(req, res));
		this.apiUrl = `http://127.0.0.1:${(this.apiServer.address() as AddressInfo).port}`;
		this.fileUrl = `http://127.0.0.1:${(this.fileServer.address() as AddressInfo).port}`;
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
		this.downloadCodes.clear();
	}

	/** Every download answers this status from now on, as an expired or revoked URL does. */
	refuseDownloads(status: number): void {
		this.downloadRefusal = status;
	}

	/** The next API request whose path includes `fault.pathIncludes` gets this raw answer instead. */
	injectFault(fault: Fault): void {
		this.faults.push(fault);
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
		if (this.options.latencyMs) await delay(this.options.latencyMs);

		const faultIndex = this.faults.findIndex((fault) => path.includes(fault.pathIncludes));
		if (faultIndex >= 0) {
			const [fault] = this.faults.splice(faultIndex, 1);
			if (fault.reset) {
				req.socket.destroy();
				return;
			}
			res.writeHead(fault.status ?? 500, fault.headers ?? { 'Content-Type': 'text/html' });
			res.end(fault.body ?? '');
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
			return reply(res, this.accounts.userToken(body, req.headers['content-type'] ?? ''));
		}
		if (req.method === 'POST' && route === '/open-apis/auth/v3/tenant_access_token/internal') {
			return reply(res, this.accounts.tenantToken(body));
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
			return this.answerMinute(decodeURIComponent(token), endpoint, new URLSearchParams(params ?? ''), res);
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

		const code = randomBytes(12).toString('hex');
		this.downloadCodes.set(code, minute.token);
		sendJson(res, 200, {
			code: 0,
			msg: 'success',
			data: { download_url: `${this.fileUrl}/space/api/box/stream/download/authcode/?code=${code}` },
		});
	}

	/** Metadata, statistics, AI notes and transcript share the media endpoint's errors. */
	private answerMinute(minuteToken: string, endpoint: string | undefined, query: URLSearchParams, res: ServerResponse): void {
		if (minuteToken.length !== 24) return sendMediaError(res, 2091001);
		const minute = this.minutes.get(minuteToken);
		if (!minute) return sendMediaError(res, 2091002);
		if (minute.mediaError && minute.mediaError !== 2091003) return sendMediaError(res, minute.mediaError);
		const title = minute.title ?? minute.token;
		const data = (payload: unknown) => sendJson(res, 200, { code: 0, msg: 'success', data: payload });
		if (endpoint === undefined) {
			return data({
				minute: {
					token: minute.token,
					owner_id: 'ou_simulated_owner',
					create_time: String(minute.createTime ?? DEFAULT_CREATE_TIME),
					title,
					cover: `${this.fileUrl}/cover/${minute.token}.png`,
					duration: '1800000',
					url: `https://sample.feishu.cn/minutes/${minute.token}`,
				},
			});
		}
		if (endpoint === '/artifacts') {
			return data({
				summary: `${title}: the team reviewed the release plan.`,
				minute_chapters: [{ title: 'Release plan', start_ms: 1000, stop_ms: 60000, summary_content: 'On track for Friday.' }],
				minute_todos: [{ content: 'Send the release notes', assignees: ['ou_simulated_owner'] }],
			});
		}
		if (endpoint === '/statistics') {
			return data({
				statistics: {
					user_view_count: '3',
					page_view_count: '7',
					user_view_list: [{ user_id: 'ou_simulated_viewer', view_time: '1732410000000' }],
				},
			});
		}
		const format = query.get('file_format') ?? 'txt';
		if (format !== 'txt' && format !== 'srt') return sendMediaError(res, 2091001);
		res.writeHead(200, {
			'Content-Type': 'text/plain; charset=utf-8',
			'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(`${title}.${format}`)}`,
		});
		res.end(transcript(format, query.get('need_speaker') === 'true', query.get('need_timestamp') === 'true'));
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
		res.setHeader('x-ogw-ratelimit-limit', String(limit));
		res.setHeader('x-ogw-ratelimit-reset', String(Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000))));
		const { status, code, msg } = PLATFORM_ERRORS.rateLimited;
		sendJson(res, status, { code, msg });
		return true;
	}

	private handleFile(req: IncomingMessage, res: ServerResponse): void {
		this.record('file', req);
		const url = new URL(req.url ?? '/', this.fileUrl);
		const hopsLeft = Number(url.searchParams.get('hops') ?? this.options.downloadRedirects ?? 0);
		if (hopsLeft > 0) {
			url.searchParams.set('hops', String(hopsLeft - 1));
			res.writeHead(302, { Location: `${url.pathname}${url.search}` });
			res.end();
			return;
		}
		const minuteToken = this.downloadCodes.get(url.searchParams.get('code') ?? '');
		const minute = minuteToken === undefined ? undefined : this.minutes.get(minuteToken);
		if (url.pathname !== '/space/api/box/stream/download/authcode/' || !minute || this.downloadRefusal) {
			res.writeHead(this.downloadRefusal ?? 403, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ code: 1061004, msg: 'forbidden' }));
			return;
		}
		const size = minute.size ?? 64 * 1024;
		const title = minute.title ?? minute.token;
		const headers: Record<string, string | number> = {
			'Content-Type': minute.contentType ?? 'video/mp4',
			'Content-Length': size,
		};
		const disposition =
			minute.contentDisposition === undefined
				? `attachment; filename="${asciiFallback(title)}.mp4"; filename*=UTF-8''${encodeURIComponent(`${title}.mp4`)}`
				: minute.contentDisposition;
		if (disposition !== null) headers['Content-Disposition'] = disposition;
		res.writeHead(200, headers);
		if (minute.cutDownloadAfter !== undefined) {
			res.write(mediaBytes(minute.token, minute.cutDownloadAfter), () => res.socket?.destroy());
			return;
		}
		streamMediaBytes(minute.token, size, res);
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

function sendMediaError(res: ServerResponse, code: number): void {
	const { status, msg } = MEDIA_ERRORS[code];
	sendJson(res, status, { code, msg });
}
