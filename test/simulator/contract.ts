/**
 * What Feishu's contract says, as the simulator enforces it. Sources: ../shared/feishu-docs/contract-notes.md
 * and Feishu's pages and SDKs it cites. Each rule can be relaxed by name for a test that needs a looser world.
 */

/** Rules the simulator enforces by default; `new FeishuSimulator({ relax: [...] })` turns one off. */
export const RULES = {
	/** Tokens carry scopes; an endpoint refuses a token with none of its scopes (99991672 app, 99991679 user). */
	scopes: 'scope per endpoint',
	/** Each Minutes read endpoint: 5 requests per second per app (per endpoint: Feishu counts per API, app and tenant). */
	rateLimits: '5 requests/s per app and endpoint',
	/** Search: 100 requests per minute per app. */
	searchBudget: 'search 100 requests/min per app',
	/** Search: page_size at most 30. */
	searchPageSize: 'search page_size ≤ 30',
	/** Search: a keyword or a create-time window, the window at most one month (our reading; unverified on the server). */
	searchWindow: 'search needs a filter; window ≤ 1 month',
	/** OAuth2 refresh tokens work once (20073 when used again). */
	singleUseRefreshTokens: 'refresh tokens are single use',
	/** Access tokens die after their lifetime (2 h: 99991663 / 99991677), refresh tokens after 7 days unused (20037). */
	tokenExpiry: 'tokens expire',
	/** An access token must start with t- or u- (99991671). */
	tokenFormat: 'token format t-/u-',
	/** User tokens: a meeting's recording and details only for its owner, 121005 (DOC-rec, DOC-get: "only meetings owned by the caller"). */
	meetingOwnerOnly: 'VC: user tokens see only meetings they own',
	/** Meeting search: a query or a filter, the start-time window at most 31 days, 121003 (Lark's CLI vc_search.go; server unverified). */
	meetingSearchFilter: 'meeting search needs a filter; window ≤ 31 days',
	/** Meeting search: at most 150 results in total for one query (DOC-search). */
	meetingSearchCap: 'meeting search returns ≤ 150 results',
	/** Long connection: at most 50 open connections per app (Feishu's "使用长连接接收事件" page); 1000040350 beyond. */
	longConnectionLimit: 'long connection: ≤ 50 connections per app',
	/** Long connection: closed after 3 × PingInterval without a ping (SDKs ping every PingInterval; the server's timeout is our reading). */
	longConnectionPing: 'long connection: ping at least every 3 × PingInterval',
	/** Long connection: an endpoint URL connects once, within 60 s (SDKs fetch a new one per connect; the server's check is our reading). */
	longConnectionTicket: 'long connection: endpoint URL single use, 60 s',
} as const;

export type Rule = keyof typeof RULES;

/** Any one of these scopes lets a token call the endpoint (Feishu's pages, "one of"). */
export const ENDPOINT_SCOPES: Record<string, string[]> = {
	minute: ['minutes:minutes', 'minutes:minutes:readonly', 'minutes:minutes.basic:read'],
	media: ['minutes:minutes.media:export', 'minutes:minute:download'],
	statistics: ['minutes:minutes', 'minutes:minutes:readonly', 'minutes:minutes.statistics:read'],
	transcript: ['minutes:minutes.transcript:export', 'minutes:minute:download'],
	artifacts: ['minutes:minutes.artifacts:read'],
	search: ['minutes:minutes.search:read'],
	subscription: ['minutes:minutes.basic:read'],
	recording: ['vc:record:readonly'],
	meeting: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
	meetingSearch: ['vc:meeting.search:read'],
	meetingsByNumber: ['vc:meeting.meetingid:read', 'vc:meeting:readonly'],
	primaryCalendar: ['calendar:calendar:read', 'calendar:calendar:readonly'],
	calendarRelations: ['calendar:calendar.event:read', 'calendar:calendar.event:readonly'],
};

/**
 * Rate budgets per app of the VC and calendar endpoints (rule `rateLimits`), every window enforced: DOC-rec and DOC-get
 * (50/s and 1000/min), DOC-search and DOC-lbn (100/min); calendar: our conservative reading, unverified.
 */
export const ENDPOINT_BUDGETS: Record<string, Array<{ limit: number; windowMs: number }>> = {
	recording: [
		{ limit: 50, windowMs: 1000 },
		{ limit: 1000, windowMs: 60_000 },
	],
	meeting: [
		{ limit: 50, windowMs: 1000 },
		{ limit: 1000, windowMs: 60_000 },
	],
	meetingSearch: [{ limit: 100, windowMs: 60_000 }],
	meetingsByNumber: [{ limit: 100, windowMs: 60_000 }],
	primaryCalendar: [{ limit: 100, windowMs: 60_000 }],
	calendarRelations: [{ limit: 100, windowMs: 60_000 }],
};

/** Everything a Minutes app can enable (the default app enables all but the legacy download scope). */
export const ALL_SCOPES = [
	'minutes:minutes',
	'minutes:minutes:readonly',
	'minutes:minutes.basic:read',
	'minutes:minutes.media:export',
	'minutes:minutes.statistics:read',
	'minutes:minutes.transcript:export',
	'minutes:minutes.artifacts:read',
	'minutes:minutes.search:read',
	'vc:record:readonly',
	'vc:meeting:readonly',
	'vc:meeting.search:read',
	'vc:meeting.meetingid:read',
	'calendar:calendar:read',
	'calendar:calendar.event:read',
	'offline_access',
];

/** Feishu's documented HTTP status and message for each Minutes error code. */
export const MEDIA_ERRORS: Record<number, { status: number; msg: string }> = {
	2091001: { status: 400, msg: 'param is invalid' },
	2091002: { status: 404, msg: 'resource not found' },
	2091003: { status: 400, msg: 'minute not ready , try later' },
	2091004: { status: 400, msg: 'resource deleted' },
	2091005: { status: 403, msg: 'permission deny' },
	2091006: { status: 500, msg: 'service internal error' },
};

/** VC error codes and their HTTP statuses (DOC-end's table; 124002 from Lark's CLI docs, its status 400 is our reading). */
export const VC_ERRORS: Record<number, { status: number; msg: string }> = {
	121001: { status: 500, msg: 'internal error' },
	121003: { status: 400, msg: 'param error' },
	121004: { status: 404, msg: 'data not exist' },
	121005: { status: 403, msg: 'no permission' },
	122002: { status: 404, msg: 'meeting not exist' },
	124002: { status: 400, msg: 'recording generating' },
};

/** Calendar refusals (mget_instance_relation_info is undocumented: code and status are our reading). */
export const CALENDAR_ERRORS: Record<number, { status: number; msg: string }> = {
	191001: { status: 400, msg: 'invalid calendar_id' },
	99992402: { status: 400, msg: 'field validation failed' },
};

/** General platform codes (Feishu's generic error-code page; it gives no HTTP status, 400 is what SDK users report). */
export const PLATFORM_ERRORS = {
	missingToken: { status: 400, code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' },
	tenantTokenInvalid: { status: 400, code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' },
	userTokenExpired: { status: 400, code: 99991677, msg: 'token expire' },
	tokenFormat: { status: 400, code: 99991671, msg: 'Invalid token: must start with t-/u-' },
	appScopeMissing: { status: 400, code: 99991672, msg: 'Access denied. One of the following scopes is required: ' },
	userScopeMissing: { status: 400, code: 99991679, msg: 'Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again. required one of these privileges: ' },
	appDisabled: { status: 400, code: 99991662, msg: 'app not in use' },
	appNotInstalled: { status: 400, code: 99991673, msg: 'unauthorized app' },
	rateLimited: { status: 429, code: 99991400, msg: 'request trigger frequency limit' },
} as const;

/** OAuth2 token endpoint errors (Feishu's "refresh user_access_token" page). */
export const OAUTH_ERRORS = {
	invalidClient: { status: 400, code: 20002, error: 'invalid_client', error_description: 'The client secret is invalid.' },
	invalidRefreshToken: { status: 400, code: 20026, error: 'invalid_grant', error_description: 'The refresh token passed is invalid.' },
	refreshTokenUsed: {
		status: 400,
		code: 20073,
		error: 'invalid_grant',
		error_description: 'The refresh token has been used. Please note that a refresh token can only be used once.',
	},
	refreshTokenExpired: { status: 400, code: 20037, error: 'invalid_grant', error_description: 'The refresh token has expired.' },
	invalidCode: { status: 400, code: 20003, error: 'invalid_grant', error_description: 'The authorization code is invalid.' },
	unsupportedGrant: { status: 400, code: 20036, error: 'unsupported_grant_type', error_description: 'The specified grant_type is not supported.' },
} as const;

/** The long connection's endpoint codes and messages (node-sdk ws-client/enum.ts, oapi-sdk-go ws/const.go, python const.py). */
export const LONG_CONNECTION_ERRORS = {
	1: 'system busy',
	403: 'forbidden',
	514: 'auth failed',
	1000040343: 'internal error',
	1000040350: 'too many connections',
} as const;

export type LongConnectionCode = keyof typeof LONG_CONNECTION_ERRORS;

/** 2024-11-24T00:00:00Z: when minutes without their own createTime were created. */
export const DEFAULT_CREATE_TIME = 1732406400000;

/** The longest create-time window a search may span (Lark's CLI docs: one month). */
export const SEARCH_WINDOW_MS = 31 * 24 * 3600 * 1000;

/** Meetings without their own startTime started at 2024-11-24T01:00:00Z. */
export const DEFAULT_MEETING_START = 1732410000000;

/** Who user tokens speak for unless a test connects someone else. */
export const DEFAULT_USER_OPEN_ID = 'ou_simulated_owner';

/** VC answers only meetings of the last 90 days (DOC-get, DOC-lbn). */
export const MEETING_HISTORY_MS = 90 * 24 * 3600 * 1000;
