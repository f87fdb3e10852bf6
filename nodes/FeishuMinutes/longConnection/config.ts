/** The long connection's settings, parts and seams: what the client needs, and what a test replaces. */

/** How Feishu wants the connection kept: all in ms here (Feishu sends seconds). */
export interface ConnectionConfig {
	pingIntervalMs: number;
	/** Attempts after a failure before giving up; below 0, forever. */
	reconnectCount: number;
	reconnectIntervalMs: number;
	/** The first attempt after a drop waits a random part of this, so many clients do not return at once. */
	reconnectNonceMs: number;
}

/** Feishu's SDK defaults, until the endpoint or a pong says otherwise. */
export const DEFAULT_CONFIG: ConnectionConfig = { pingIntervalMs: 120_000, reconnectCount: -1, reconnectIntervalMs: 120_000, reconnectNonceMs: 30_000 };

/** Bounds that hold whatever Feishu (or a garbled pong) says: never a tight loop, never an hour of silence. */
export const BOUNDS = { pingIntervalMs: [1000, 600_000], reconnectIntervalMs: [1000, 1_800_000], reconnectNonceMs: [0, 600_000] } as const;

/** What the endpoint call gives: where to connect, and Feishu's settings. */
export interface ConnectionEndpoint {
	url: string;
	config: Partial<ConnectionConfig>;
}

/** The endpoint refused; `fatal` when reconnecting cannot fix it (wrong secret, forbidden, too many connections). */
export class EndpointRefusal extends Error {
	constructor(
		message: string,
		readonly fatal: boolean,
		readonly description?: string,
	) {
		super(message);
	}
}

/** The part of a WebSocket this client uses (Node's built-in one, or a test's). */
export interface SocketLike {
	binaryType: string;
	onopen: ((event: unknown) => void) | null;
	onmessage: ((event: { data: unknown }) => void) | null;
	onerror: ((event: unknown) => void) | null;
	onclose: ((event: { code?: number }) => void) | null;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
}

export interface ConnectionLog {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
}

export interface LongConnectionDeps {
	fetchEndpoint(): Promise<ConnectionEndpoint>;
	openSocket(url: string): SocketLike;
	/** A whole event's bytes, already acknowledged to Feishu. */
	onEvent(payload: Uint8Array): void;
	/** Reconnecting cannot fix it, or Feishu's attempts are used up: the connection has stopped. */
	onFatal(error: EndpointRefusal): void;
	log: ConnectionLog;
	random?: () => number;
	now?: () => number;
	/** Settings until Feishu sends its own (default: Feishu's SDK defaults). */
	initialConfig?: Partial<ConnectionConfig>;
	/** How long an opening handshake may take. */
	openTimeoutMs?: number;
}

/** Feishu's ClientConfig (seconds; from the endpoint or a pong), checked: a missing or bad value changes nothing. */
export function configFrom(raw: unknown): Partial<ConnectionConfig> {
	const source = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
	const seconds = (key: string) => (typeof source[key] === 'number' && (source[key] as number) > 0 ? (source[key] as number) * 1000 : undefined);
	const count = source.ReconnectCount;
	return {
		pingIntervalMs: seconds('PingInterval'),
		reconnectIntervalMs: seconds('ReconnectInterval'),
		reconnectNonceMs: typeof source.ReconnectNonce === 'number' && source.ReconnectNonce >= 0 ? source.ReconnectNonce * 1000 : undefined,
		reconnectCount: typeof count === 'number' && Number.isInteger(count) ? count : undefined,
	};
}

