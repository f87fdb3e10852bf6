/**
 * The simulated Feishu's apps and tokens: tenant tokens from App ID + Secret, user tokens through
 * OAuth2 (authorize page, code and refresh grants), and who a bearer token speaks for.
 */
import { randomBytes } from 'node:crypto';

import { ALL_SCOPES, DEFAULT_USER_OPEN_ID, OAUTH_ERRORS, PLATFORM_ERRORS, type Rule } from './contract';

export const DEFAULT_APP = { appId: 'cli_simulator0000001', appSecret: 'simulator-secret-do-not-leak' };

export interface SimulatedApp {
	secret: string;
	/** Scopes enabled in the developer console (and published). */
	scopes: Set<string>;
	state: 'active' | 'disabled' | 'notInstalled';
}

/** Who a request's token speaks for, and what it may do. */
export interface Caller {
	kind: 'app' | 'user';
	appId: string;
	scopes: ReadonlySet<string>;
	/** The user a user token speaks for; undefined for app tokens. */
	openId?: string;
}

/** An answer the HTTP layer sends as JSON. */
export interface Reply {
	status: number;
	body: Record<string, unknown>;
}

interface UserGrant {
	appId: string;
	/** What the user granted: the scopes the authorize request named that the app had enabled. */
	scopes: Set<string>;
	/** Who consented. */
	openId: string;
}

/** How long what Feishu issues stays valid (with the `tokenExpiry` rule). */
export interface TokenLifetimes {
	/** Tenant and user access tokens: Feishu's 2 hours. */
	accessMs: number;
	/** Refresh tokens, unused: Feishu's 7 days (refresh_token_expires_in 604800). */
	refreshMs: number;
}

export const FEISHU_TOKEN_LIFETIMES: TokenLifetimes = { accessMs: 7200 * 1000, refreshMs: 604800 * 1000 };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export class Accounts {
	readonly apps = new Map<string, SimulatedApp>();

	tokenRequests = 0;

	/** OAuth2 refresh-token grants answered with new tokens. */
	userTokenRefreshes = 0;

	/** Refresh-token grants refused because the token had been used already. */
	refreshTokenReuses = 0;

	/** Refresh-token grants refused because the refresh token had expired (20037). */
	refreshTokenExpiries = 0;

	private readonly tenantTokens = new Map<string, { appId: string; expiresAt: number }>();

	private readonly userTokens = new Map<string, UserGrant & { expiresAt: number }>();

	private readonly refreshTokens = new Map<string, { grant: UserGrant; used: boolean; expiresAt: number }>();

	private readonly codes = new Map<string, UserGrant>();

	constructor(
		apps: Record<string, string>,
		private readonly enforces: (rule: Rule) => boolean,
		private readonly lifetimes: TokenLifetimes = FEISHU_TOKEN_LIFETIMES,
	) {
		for (const [appId, secret] of Object.entries(apps)) {
			this.apps.set(appId, { secret, scopes: new Set(ALL_SCOPES), state: 'active' });
		}
	}

	/** `POST /open-apis/auth/v3/tenant_access_token/internal`. */
	tenantToken(rawBody: string): Reply {
		this.tokenRequests++;
		let body: { app_id?: unknown; app_secret?: unknown } = {};
		try {
			body = JSON.parse(rawBody) as typeof body;
		} catch {
			return { status: 400, body: { code: 10003, msg: 'invalid param' } };
		}
		const app = typeof body.app_id === 'string' ? this.apps.get(body.app_id) : undefined;
		if (!app) return { status: 400, body: { code: 10003, msg: 'invalid param' } };
		if (body.app_secret !== app.secret) return { status: 400, body: { code: 10014, msg: 'app secret invalid' } };
		const token = `t-${hex(16)}`;
		this.tenantTokens.set(token, { appId: body.app_id as string, expiresAt: Date.now() + this.lifetimes.accessMs });
		return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: this.seconds(this.lifetimes.accessMs) } };
	}

	/** Feishu's consent page, consent given at once: back to the redirect URI with a code. */
	authorize(query: URLSearchParams): { location: string } | Reply {
		const appId = query.get('client_id') ?? query.get('app_id') ?? '';
		const redirect = query.get('redirect_uri');
		if (!this.apps.has(appId) || !redirect) return { status: 400, body: { code: 20001, msg: 'client_id and redirect_uri are required' } };
		const code = hex(12);
		this.codes.set(code, this.grantFor(appId, query.get('scope') ?? ''));
		const target = new URL(redirect);
		target.searchParams.set('code', code);
		if (query.get('state') !== null) target.searchParams.set('state', query.get('state')!);
		return { location: target.href };
	}

	/** A user (`openId`) who completed consent for `requestedScope` (space separated): their tokens. */
	connectUser(
		requestedScope: string,
		openId = DEFAULT_USER_OPEN_ID,
		appId = DEFAULT_APP.appId,
	): { access_token: string; refresh_token: string; scope: string } {
		const grant = this.grantFor(appId, requestedScope, openId);
		return this.issueUserTokens(grant);
	}

	/** `POST /open-apis/authen/v2/oauth/token`: authorization_code and refresh_token grants; JSON or form body. */
	userToken(rawBody: string, contentType: string): Reply {
		const body: Record<string, unknown> = /json/.test(contentType)
			? (JSON.parse(rawBody || '{}') as Record<string, unknown>)
			: Object.fromEntries(new URLSearchParams(rawBody));
		const app = typeof body.client_id === 'string' ? this.apps.get(body.client_id) : undefined;
		if (!app || body.client_secret !== app.secret) return oauthError(OAUTH_ERRORS.invalidClient);

		let grant: UserGrant | undefined;
		if (body.grant_type === 'authorization_code') {
			grant = this.codes.get(String(body.code));
			this.codes.delete(String(body.code));
			if (!grant) return oauthError(OAUTH_ERRORS.invalidCode);
		} else if (body.grant_type === 'refresh_token') {
			const stored = this.refreshTokens.get(String(body.refresh_token));
			if (!stored) return oauthError(OAUTH_ERRORS.invalidRefreshToken);
			if (stored.used && this.enforces('singleUseRefreshTokens')) {
				this.refreshTokenReuses++;
				return oauthError(OAUTH_ERRORS.refreshTokenUsed);
			}
			if (this.expired(stored.expiresAt)) {
				this.refreshTokenExpiries++;
				return oauthError(OAUTH_ERRORS.refreshTokenExpired);
			}
			stored.used = true;
			grant = stored.grant;
			this.userTokenRefreshes++;
		} else {
			return oauthError(OAUTH_ERRORS.unsupportedGrant);
		}
		const tokens = this.issueUserTokens(grant);
		return {
			status: 200,
			body: {
				code: 0,
				access_token: tokens.access_token,
				expires_in: this.seconds(this.lifetimes.accessMs),
				token_type: 'Bearer',
				scope: tokens.scope,
				// Feishu issues a refresh token only when offline_access was granted
				...(grant.scopes.has('offline_access') ? { refresh_token: tokens.refresh_token, refresh_token_expires_in: this.seconds(this.lifetimes.refreshMs) } : {}),
			},
		};
	}

	/** Who the Authorization header speaks for, or the platform error Feishu answers. */
	identify(authorization: string | undefined, tokenErrorStatus?: number): Caller | Reply {
		const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
		if (!token) return platformError(PLATFORM_ERRORS.missingToken);
		if (this.enforces('tokenFormat') && !/^[tu]-/.test(token)) return platformError(PLATFORM_ERRORS.tokenFormat);
		const user = this.userTokens.get(token);
		const tenant = this.tenantTokens.get(token);
		const appId = this.expired((user ?? tenant)?.expiresAt) ? undefined : (user?.appId ?? tenant?.appId);
		const app = appId === undefined ? undefined : this.apps.get(appId);
		if (!app || appId === undefined) {
			const expired = token.startsWith('u-') ? PLATFORM_ERRORS.userTokenExpired : PLATFORM_ERRORS.tenantTokenInvalid;
			return { ...platformError(expired), status: tokenErrorStatus ?? expired.status };
		}
		if (app.state === 'disabled') return platformError(PLATFORM_ERRORS.appDisabled);
		if (app.state === 'notInstalled') return platformError(PLATFORM_ERRORS.appNotInstalled);
		// an app's token has what the app has now; a user's, what the user granted (still enabled for the app)
		const scopes = user ? new Set([...user.scopes].filter((scope) => app.scopes.has(scope))) : app.scopes;
		return { kind: user ? 'user' : 'app', appId, scopes, openId: user?.openId };
	}

	/** Every issued access token (tenant and user) becomes invalid, as after expiry; refresh tokens stay. */
	revokeAccessTokens(): void {
		this.tenantTokens.clear();
		this.userTokens.clear();
	}

	/** Past its lifetime (never, with the `tokenExpiry` rule relaxed); unknown counts as expired. */
	private expired(expiresAt: number | undefined): boolean {
		return expiresAt === undefined || (this.enforces('tokenExpiry') && Date.now() >= expiresAt);
	}

	private seconds(ms: number): number {
		return Math.max(1, Math.ceil(ms / 1000));
	}

	private grantFor(appId: string, requestedScope: string, openId = DEFAULT_USER_OPEN_ID): UserGrant {
		const app = this.apps.get(appId);
		const requested = requestedScope.split(/[\s,]+/).filter(Boolean);
		// scopes the app has not enabled are left out of the consent page, silently (larksuite/cli #746)
		return { appId, openId, scopes: new Set(requested.filter((scope) => app?.scopes.has(scope))) };
	}

	private issueUserTokens(grant: UserGrant): { access_token: string; refresh_token: string; scope: string } {
		const tokens = { access_token: `u-${hex(16)}`, refresh_token: `ur-${hex(16)}` };
		const now = Date.now();
		this.userTokens.set(tokens.access_token, { ...grant, expiresAt: now + this.lifetimes.accessMs });
		this.refreshTokens.set(tokens.refresh_token, { grant, used: false, expiresAt: now + this.lifetimes.refreshMs });
		return { ...tokens, scope: [...grant.scopes].join(' ') };
	}
}

function platformError(error: { status: number; code: number; msg: string }): Reply {
	return { status: error.status, body: { code: error.code, msg: error.msg } };
}

function oauthError({ status, ...body }: { status: number; code: number; error: string; error_description: string }): Reply {
	return { status, body };
}
