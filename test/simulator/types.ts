/** What tests tell the simulator, and what it records. */
import type { Rule } from './contract';
import type { DelayMs } from './http';

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

/** A video meeting (VC); IDs are 19-digit strings, times ms since epoch (Feishu's clock). */
export interface SimulatedMeeting {
	id: string;
	/** The 9-digit meeting number; default the id's last 9 digits. */
	number?: string;
	topic?: string;
	/** Default 2024-11-24T01:00:00Z. */
	startTime?: number;
	/** Undefined (or later than now): still running, so not searchable and without a recording yet. */
	endTime?: number;
	/** open_id of the owner; default 'ou_simulated_owner'. */
	ownerId?: string;
	/** open_id of the organizer (host); default the owner. */
	organizerId?: string;
	/** open_ids of those who took part; default [owner]. */
	participantIds?: string[];
	/** Absent: the meeting was not recorded. */
	recording?: {
		minuteToken: string;
		/** Still generating: the first N recording requests answer 124002. */
		readyAfterPolls?: number;
		/** Default 30 min. */
		durationMs?: number;
	};
	/** The calendar event (instance) the meeting belongs to. */
	calendarEventId?: string;
}

export interface SimulatorOptions {
	apps?: Record<string, string>;
	/** Rules of contract.ts this simulator does not enforce. */
	relax?: Rule[];
	/** Delay before each API request is counted and answered: a fixed delay, or [min, max] drawn per request. */
	latencyMs?: DelayMs;
	/** Refresh-token grants are taken at once (the old refresh token dies) but answered after this delay. */
	refreshDelayMs?: DelayMs;
	/** Access tokens' lifetime (default Feishu's 2 h); the `expire` / `expires_in` answered follow it. */
	tokenLifetimeMs?: number;
	/** Refresh tokens' lifetime unused (default Feishu's 7 days). */
	refreshTokenLifetimeMs?: number;
	/** Requests per second per app and Minutes endpoint (Feishu: 5). */
	rateLimitPerSecond?: number;
	/** HTTP status sent with codes 99991663 / 99991677 (Feishu does not document it). */
	tokenErrorStatus?: number;
	/** Download URLs answer with this many 302 hops before the file. */
	downloadRedirects?: number;
	/** Search refuses app tokens, as older deployments did (99991663). */
	searchUserOnly?: boolean;
	/** The long connection's server side (longConnection.ts). */
	longConnection?: LongConnectionOptions;
}

/** What the long connection's endpoint hands out as ClientConfig (seconds), and its server's limits. */
export interface LongConnectionOptions {
	/** Default 120 (Feishu SDKs' default). */
	pingIntervalS?: number;
	/** Default -1 (unlimited). */
	reconnectCount?: number;
	/** Default 120. */
	reconnectIntervalS?: number;
	/** Default 30. */
	reconnectNonceS?: number;
	/** Open connections per app (rule `longConnectionLimit`); default Feishu's 50. */
	maxConnectionsPerApp?: number;
	/** How long a push waits for its ack before the one redelivery, and after it; default Feishu's 3000. */
	redeliverAfterMs?: number;
	/** How long an endpoint URL's ticket is valid (rule `longConnectionTicket`); default 60. */
	ticketLifetimeS?: number;
}

/** A raw answer that replaces the next API answer on a matching path (gateway pages, bad JSON…). */
export interface Fault {
	pathIncludes: string;
	status?: number;
	/** `{{token}}` stands for the request's bearer token, as a proxy echoing the request would send it. */
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
