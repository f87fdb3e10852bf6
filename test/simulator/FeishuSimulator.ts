/**
 * A stand-in for Feishu's Open Platform on 127.0.0.1: the tenant token endpoint, the Minutes media
 * endpoint with every documented error, token expiry on demand, a rate limit, and a separate
 * file server (another port, so another host as far as clients are concerned) for downloads.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** 2024-11-24T00:00:00Z: when minutes without their own createTime were created. */
const DEFAULT_CREATE_TIME = 1732406400000;

export const DEFAULT_APP = { appId: 'cli_simulator0000001', appSecret: 'simulator-secret-do-not-leak' };

/** HTTP status Feishu documents for each media error code. */
export const MEDIA_ERRORS: Record<number, { status: number; msg: string }> = {
	2091001: { status: 400, msg: 'param is invalid' },
	2091002: { status: 404, msg: 'resource not found' },
	2091003: { status: 400, msg: 'minute not ready , try later' },
	2091004: { status: 400, msg: 'resource deleted' },
	2091005: { status: 403, msg: 'permission deny' },
	2091006: { status: 500, msg: 'service internal error' },
};

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
	/** Creation time (ms since epoch), for search; default 2024-11-24T00:00:00Z. */
	createTime?: number;
}

export interface SimulatorOptions {
	apps?: Record<string, string>;
	/** Delay before each API answer. */
	latencyMs?: number;
	/** Media requests per second per app; 0 disables the limit. */
	rateLimitPerSecond?: number;
	/** HTTP status sent with code 99991663 (Feishu does not document it). */
	tokenErrorStatus?: number;
	/** Download URLs answer with this many 302 hops before the file. */
	downloadRedirects?: number;
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
	at: number;
}

export class FeishuSimulator {
	readonly requests: RecordedRequest[] = [];

	readonly minutes = new Map<string, SimulatedMinute>();

	tokenRequests = 0;

	/** OAuth2 refresh-token grants answered (user mode). */
	userTokenRefreshes = 0;

	private readonly validUserTokens = new Set<string>();

	/** Refresh tokens are single-use, as Feishu's are. */
	private readonly validRefreshTokens = new Set<string>();

	rateLimited = 0;

	/** Most API requests in flight at the same moment. */
	maxInFlight = 0;

	private inFlight = 0;

	private readonly apps: Record<string, string>;

	private readonly validTokens = new Map<string, string>();

	private readonly downloadCodes = new Map<string, string>();

	private readonly mediaArrivals = new Map<string, number[]>();

	private readonly faults: Fault[] = [];

	private downloadRefusal?: number;

	private apiServer?: Server;

	private fileServer?: Server;

	constructor(private readonly options: SimulatorOptions = {}) {
		this.apps = options.apps ?? { [DEFAULT_APP.appId]: DEFAULT_APP.appSecret };
	}

	apiUrl = '';

	fileUrl = '';

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
		this.validTokens.clear();
		this.validUserTokens.clear();
	}

	/** A user who completed Feishu's OAuth2 consent: their access and refresh tokens. */
	issueUserTokens(): { access_token: string; refresh_token: string } {
		const tokens = { access_token: `u-${randomBytes(16).toString('hex')}`, refresh_token: `ur-${randomBytes(16).toString('hex')}` };
		this.validUserTokens.add(tokens.access_token);
		this.validRefreshTokens.add(tokens.refresh_token);
		return tokens;
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

	private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		res.on('close', () => this.inFlight--);
		const path = req.url ?? '/';
		this.record('api', req);
		const body = await readBody(req);
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

		if (path.startsWith('/__simulator/')) return this.handleControl(req.method ?? 'GET', path, body, res);
		if (req.method === 'POST' && path === '/open-apis/authen/v2/oauth/token') {
			return this.issueUserToken(body, req.headers['content-type'] ?? '', res);
		}
		if (req.method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
			return this.issueTenantToken(body, res);
		}
		const minuteApi = /^\/open-apis\/minutes\/v1\/minutes\/([^/?]*)(\/media|\/statistics|\/transcript|\/artifacts)?(?:\?(.*))?$/.exec(path);
		const search = /^\/open-apis\/minutes\/v1\/minutes\/search(?:\?(.*))?$/.exec(path);
		if (req.method === 'POST' && search) {
			const appId = this.authorize(req, res);
			if (appId) this.answerSearch(req, new URLSearchParams(search[1] ?? ''), body, res);
			return;
		}
		if (req.method === 'GET' && minuteApi) {
			const appId = this.authorize(req, res);
			if (!appId) return;
			const [, token, endpoint, query] = minuteApi;
			if (endpoint === '/media') return await this.answerMedia(appId, decodeURIComponent(token), res);
			return this.answerMinute(appId, decodeURIComponent(token), endpoint, new URLSearchParams(query ?? ''), res);
		}
		sendJson(res, 404, { code: 404, msg: '404 page not found' });
	}

	/** For tests and scripts that run the simulator in another process (benchmark, real n8n). */
	stats() {
		const downloads = this.requests.filter((request) => request.server === 'file');
		return {
			tokenRequests: this.tokenRequests,
			mediaRequests: this.requestsTo('/media').length,
			rateLimited: this.rateLimited,
			maxInFlight: this.maxInFlight,
			downloads: downloads.length,
			downloadsWithAuthorization: downloads.filter((request) => request.authorization !== undefined).length,
		};
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

	private issueTenantToken(rawBody: string, res: ServerResponse): void {
		this.tokenRequests++;
		let body: { app_id?: unknown; app_secret?: unknown } = {};
		try {
			body = JSON.parse(rawBody) as typeof body;
		} catch {
			return sendJson(res, 400, { code: 10003, msg: 'invalid param' });
		}
		const secret = typeof body.app_id === 'string' ? this.apps[body.app_id] : undefined;
		if (secret === undefined) return sendJson(res, 400, { code: 10003, msg: 'invalid param' });
		if (body.app_secret !== secret) return sendJson(res, 400, { code: 10014, msg: 'app secret invalid' });

		const token = `t-${randomBytes(16).toString('hex')}`;
		this.validTokens.set(token, body.app_id as string);
		sendJson(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
	}

	/** Feishu's OAuth2 token endpoint (v2), refresh_token grant; accepts JSON or form bodies. */
	private issueUserToken(rawBody: string, contentType: string, res: ServerResponse): void {
		const body: Record<string, unknown> = /json/.test(contentType)
			? (JSON.parse(rawBody || '{}') as Record<string, unknown>)
			: Object.fromEntries(new URLSearchParams(rawBody));
		const secret = typeof body.client_id === 'string' ? this.apps[body.client_id] : undefined;
		if (secret === undefined || body.client_secret !== secret) {
			return sendJson(res, 400, { code: 20002, error: 'invalid_client', error_description: 'client secret invalid' });
		}
		if (body.grant_type !== 'refresh_token' || !this.validRefreshTokens.delete(String(body.refresh_token))) {
			return sendJson(res, 400, { code: 20026, error: 'invalid_grant', error_description: 'refresh token invalid' });
		}
		this.userTokenRefreshes++;
		const tokens = this.issueUserTokens();
		sendJson(res, 200, {
			code: 0,
			...tokens,
			expires_in: 7200,
			refresh_token_expires_in: 604800,
			scope: 'minutes:minutes.media:export offline_access',
			token_type: 'Bearer',
		});
	}

	/** Returns the app the bearer token belongs to, or answers with Feishu's token error. */
	private authorize(req: IncomingMessage, res: ServerResponse): string | undefined {
		const header = req.headers.authorization ?? '';
		const token = /^Bearer (.+)$/.exec(header)?.[1];
		if (!token) {
			sendJson(res, 400, { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' });
			return undefined;
		}
		// a user token acts for the simulator's single app
		const appId = this.validUserTokens.has(token) ? Object.keys(this.apps)[0] : this.validTokens.get(token);
		if (!appId) {
			sendJson(
				res,
				this.options.tokenErrorStatus ?? 400,
				token.startsWith('u-')
					? { code: 99991677, msg: 'user access token expired' }
					: { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' },
			);
		}
		return appId;
	}

	private async answerMedia(appId: string, minuteToken: string, res: ServerResponse): Promise<void> {
		if (this.overRateLimit(appId, res)) return;
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

	/** Metadata, statistics and transcript share the media endpoint's errors and rate limit. */
	private answerMinute(
		appId: string,
		minuteToken: string,
		endpoint: string | undefined,
		query: URLSearchParams,
		res: ServerResponse,
	): void {
		if (this.overRateLimit(appId, res)) return;
		if (minuteToken.length !== 24) return sendMediaError(res, 2091001);
		const minute = this.minutes.get(minuteToken);
		if (!minute) return sendMediaError(res, 2091002);
		if (minute.mediaError && minute.mediaError !== 2091003) return sendMediaError(res, minute.mediaError);
		const title = minute.title ?? minute.token;
		if (endpoint === undefined) {
			return sendJson(res, 200, {
				code: 0,
				msg: 'success',
				data: {
					minute: {
						token: minute.token,
						owner_id: 'ou_simulated_owner',
						create_time: String(minute.createTime ?? DEFAULT_CREATE_TIME),
						title,
						cover: `${this.fileUrl}/cover/${minute.token}.png`,
						duration: '1800000',
						url: `https://sample.feishu.cn/minutes/${minute.token}`,
					},
				},
			});
		}
		if (endpoint === '/artifacts') {
			return sendJson(res, 200, {
				code: 0,
				msg: 'success',
				data: {
					summary: `${title}: the team reviewed the release plan.`,
					minute_chapters: [{ title: 'Release plan', start_ms: 1000, stop_ms: 60000, summary_content: 'On track for Friday.' }],
					minute_todos: [{ content: 'Send the release notes', assignees: ['ou_simulated_owner'] }],
				},
			});
		}
		if (endpoint === '/statistics') {
			return sendJson(res, 200, {
				code: 0,
				msg: 'success',
				data: {
					statistics: {
						user_view_count: '3',
						page_view_count: '7',
						user_view_list: [{ user_id: 'ou_simulated_viewer', view_time: '1732410000000' }],
					},
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

	/** Minutes search: user tokens only, keyword in the title, create-time window, pages of at most 30. */
	private answerSearch(req: IncomingMessage, query: URLSearchParams, rawBody: string, res: ServerResponse): void {
		const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
		if (!this.validUserTokens.has(token)) {
			return sendJson(res, 400, { code: 99991672, msg: 'Access denied. This API needs a user_access_token.' });
		}
		const body = JSON.parse(rawBody || '{}') as {
			query?: string;
			filter?: { create_time?: { start_time?: string; end_time?: string } };
		};
		const start = Date.parse(body.filter?.create_time?.start_time ?? '') || -Infinity;
		const end = Date.parse(body.filter?.create_time?.end_time ?? '') || Infinity;
		const pageSize = Math.min(30, Number(query.get('page_size') ?? 15));
		const offset = Number(query.get('page_token') ?? 0);
		const matching = [...this.minutes.values()]
			.filter((minute) => !minute.mediaError)
			.filter((minute) => !body.query || (minute.title ?? '').includes(body.query))
			.filter((minute) => {
				const created = minute.createTime ?? DEFAULT_CREATE_TIME;
				return created >= start && created < end;
			});
		const page = matching.slice(offset, offset + pageSize);
		const hasMore = offset + pageSize < matching.length;
		sendJson(res, 200, {
			code: 0,
			msg: 'success',
			data: {
				items: page.map((minute) => ({
					token: minute.token,
					display_info: minute.title ?? minute.token,
					meta_data: { app_link: `https://sample.feishu.cn/minutes/${minute.token}`, description: '', avatar: '' },
				})),
				total: matching.length,
				has_more: hasMore,
				...(hasMore ? { page_token: String(offset + pageSize) } : {}),
			},
		});
	}

	/** A sliding one-second window per app, as Feishu's gateway enforces "5 requests per second". */
	private overRateLimit(appId: string, res: ServerResponse): boolean {
		const limit = this.options.rateLimitPerSecond ?? 0;
		if (!limit) return false;
		const now = Date.now();
		const recent = (this.mediaArrivals.get(appId) ?? []).filter((at) => now - at < 1000);
		if (recent.length >= limit) {
			this.rateLimited++;
			this.mediaArrivals.set(appId, recent);
			res.setHeader('x-ogw-ratelimit-limit', String(limit));
			res.setHeader('x-ogw-ratelimit-reset', String(Math.max(1, Math.ceil((recent[0] + 1000 - now) / 1000))));
			sendJson(res, 429, { code: 99991400, msg: 'request trigger frequency limit' });
			return true;
		}
		recent.push(now);
		this.mediaArrivals.set(appId, recent);
		return false;
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

	private record(server: 'api' | 'file', req: IncomingMessage): void {
		this.requests.push({
			server,
			method: req.method ?? 'GET',
			path: req.url ?? '/',
			authorization: req.headers.authorization,
			at: Date.now(),
		});
	}
}

const CHUNK = 64 * 1024;

/** The recording's bytes: a pattern seeded by the minute token, cheap to regenerate at any size. */
export function mediaChunk(minuteToken: string): Buffer {
	const seed = Buffer.from(minuteToken);
	const chunk = Buffer.alloc(CHUNK);
	for (let i = 0; i < CHUNK; i++) chunk[i] = (seed[i % seed.length] + i * 31) & 0xff;
	return chunk;
}

export function mediaBytes(minuteToken: string, size: number): Buffer {
	const chunk = mediaChunk(minuteToken);
	const out = Buffer.alloc(size);
	for (let offset = 0; offset < size; offset += CHUNK) chunk.copy(out, offset, 0, Math.min(CHUNK, size - offset));
	return out;
}

function streamMediaBytes(minuteToken: string, size: number, res: ServerResponse): void {
	const chunk = mediaChunk(minuteToken);
	let sent = 0;
	const pump = (): void => {
		while (sent < size) {
			const piece = chunk.subarray(0, Math.min(CHUNK, size - sent));
			sent += piece.length;
			if (!res.write(piece)) {
				res.once('drain', pump);
				return;
			}
		}
		res.end();
	};
	res.on('error', () => undefined);
	pump();
}

/** A two-line transcript in Feishu's txt or srt shape, with speakers and timestamps as asked. */
export function transcript(format: string, speaker: boolean, timestamp: boolean): string {
	const lines = [
		{ who: '张三', from: '00:00:01,000', to: '00:00:04,000', text: '大家好，我们开始周会。' },
		{ who: 'Li Si', from: '00:00:05,000', to: '00:00:08,500', text: 'Shipping update: the release is on track.' },
	];
	if (format === 'srt') {
		return lines
			.map((line, i) => `${i + 1}\n${line.from} --> ${line.to}\n${speaker ? `${line.who}: ` : ''}${line.text}\n`)
			.join('\n');
	}
	return lines
		.map((line) => `${speaker ? `${line.who} ` : ''}${timestamp ? `${line.from.slice(0, 8)}` : ''}\n${line.text}\n`)
		.join('\n');
}

function sendMediaError(res: ServerResponse, code: number): void {
	const { status, msg } = MEDIA_ERRORS[code];
	sendJson(res, status, { code, msg });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function asciiFallback(text: string): string {
	return text.replace(/[^\x20-\x7e]|"/g, '_');
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => unknown, port = 0): Promise<Server> {
	const server = createServer((req, res) => void handler(req, res));
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return server;
}

async function close(server: Server | undefined): Promise<void> {
	if (!server) return;
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function delay(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}
