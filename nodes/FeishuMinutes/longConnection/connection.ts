import { abortableSleep } from '../helpers/abortableSleep';
import { decodeFrame, encodeFrame, type Frame, headerOf, METHOD_CONTROL, METHOD_DATA } from './frame';
import { BOUNDS, type ConnectionConfig, type ConnectionEndpoint, configFrom, DEFAULT_CONFIG, EndpointRefusal, type LongConnectionDeps, type SocketLike } from './config';
import { FragmentJoiner } from './fragments';

const LOG = 'Feishu Minutes long connection:';

/** No wait between attempts is shorter than this. */
const MIN_WAIT_MS = 1000;

/**
 * The app's long connection: asks the endpoint for a URL, opens the WebSocket, pings at Feishu's interval,
 * acknowledges each event once whole, and reconnects after any drop with Feishu's back-off (a fresh endpoint
 * call each time). `start` ends after the first attempt, failing only for what reconnecting cannot fix.
 */
export class LongConnection {
	/** Sockets opened so far. */
	opened = 0;

	private config: ConnectionConfig = { ...DEFAULT_CONFIG };

	private readonly stopping = new AbortController();

	private socket?: SocketLike;

	private serviceId = '0';

	private loop?: Promise<void>;

	private readonly joiner = new FragmentJoiner();

	private readonly now: () => number;

	constructor(private readonly deps: LongConnectionDeps) {
		this.now = deps.now ?? Date.now;
		this.applyConfig(deps.initialConfig ?? {});
	}

	get settings(): Readonly<ConnectionConfig> {
		return this.config;
	}

	/** The first attempt: what reconnecting cannot fix is returned (and nothing runs); anything else is retried in the background. */
	async start(): Promise<EndpointRefusal | undefined> {
		const first = await this.attempt();
		if (first instanceof EndpointRefusal) return first;
		this.loop = this.run(first);
		return undefined;
	}

	/** Stops for good: no socket, no timer left behind. */
	async close(): Promise<void> {
		this.stopping.abort();
		this.socket?.close(1000, 'closed by n8n');
		await this.loop;
	}

	private get stopped(): boolean {
		return this.stopping.signal.aborted;
	}

	private async run(first: SocketLike | undefined): Promise<void> {
		let socket = first;
		let failures = socket ? 0 : 1;
		while (!this.stopped) {
			if (socket) {
				await this.serve(socket);
				if (this.stopped) return;
				this.deps.log.warn(`${LOG} the connection closed; reconnecting`);
				// at least a second: a server that accepts and closes at once must not make a tight loop
				await abortableSleep(Math.max(MIN_WAIT_MS, Math.floor((this.deps.random ?? Math.random)() * this.config.reconnectNonceMs)), this.stopping.signal);
			} else {
				if (this.config.reconnectCount >= 0 && failures > this.config.reconnectCount) {
					return this.deps.onFatal(new EndpointRefusal(`Could not reconnect to Feishu after ${failures} attempts`, true, 'Feishu\'s reconnect count is used up; n8n will activate the trigger again.'));
				}
				await abortableSleep(this.config.reconnectIntervalMs, this.stopping.signal);
			}
			if (this.stopped) return;
			const next = await this.attempt();
			if (next instanceof EndpointRefusal) return this.deps.onFatal(next);
			socket = next;
			failures = socket ? 0 : failures + 1;
		}
	}

	/** One endpoint call and handshake: the open socket, nothing (worth another try), or what reconnecting cannot fix. */
	private async attempt(): Promise<SocketLike | EndpointRefusal | undefined> {
		let endpoint: ConnectionEndpoint;
		try {
			endpoint = await this.deps.fetchEndpoint();
		} catch (error) {
			if (error instanceof EndpointRefusal && error.fatal) return error;
			this.deps.log.warn(`${LOG} ${(error as Error).message}; trying again in ${Math.round(this.config.reconnectIntervalMs / 1000)} s`);
			return undefined;
		}
		this.applyConfig(endpoint.config);
		try {
			// every ping names the service the URL was issued for
			this.serviceId = new URL(endpoint.url).searchParams.get('service_id') ?? '0';
			this.socket = await this.open(endpoint.url);
			this.opened++;
			this.deps.log.info(`${LOG} connected`);
			return this.socket;
		} catch (error) {
			this.deps.log.warn(`${LOG} ${(error as Error).message}; trying again in ${Math.round(this.config.reconnectIntervalMs / 1000)} s`);
			return undefined;
		}
	}

	private async open(url: string): Promise<SocketLike> {
		const socket = this.deps.openSocket(url);
		socket.binaryType = 'arraybuffer';
		const timer = new AbortController();
		const onStop = () => timer.abort();
		this.stopping.signal.addEventListener('abort', onStop);
		return await new Promise<SocketLike>((resolve, reject) => {
			let settled = false;
			const settle = () => {
				settled = true;
				timer.abort();
				this.stopping.signal.removeEventListener('abort', onStop);
			};
			const fail = (reason: string) => {
				if (settled) return;
				settle();
				socket.close();
				reject(new Error(reason));
			};
			socket.onopen = () => {
				if (settled) return;
				settle();
				resolve(socket);
			};
			// Node 20 and 22 report a refused handshake with `error` only, never `close`
			socket.onerror = () => fail('the WebSocket could not be opened');
			socket.onclose = (event) => fail(`the WebSocket closed while opening (${String(event.code)})`);
			const timeoutMs = this.deps.openTimeoutMs ?? 30_000;
			void abortableSleep(timeoutMs, timer.signal).then(() => fail(this.stopped ? 'stopped' : `no WebSocket handshake within ${timeoutMs / 1000} s`));
		});
	}

	/** Until the socket closes (or stops answering pings): pings out, frames in. */
	private async serve(socket: SocketLike): Promise<void> {
		const alive = new AbortController();
		let lastReceived = this.now();
		let closed!: () => void;
		const whenClosed = new Promise<void>((done) => (closed = done));
		const finish = () => {
			if (alive.signal.aborted) return;
			alive.abort();
			closed();
		};
		socket.onmessage = (event) => {
			lastReceived = this.now();
			this.receive(socket, event.data);
		};
		socket.onclose = finish;
		socket.onerror = () => {
			socket.close();
			finish();
		};
		this.stopping.signal.addEventListener('abort', finish);
		const pings = (async () => {
			while (!alive.signal.aborted) {
				const pingAt = this.now();
				socket.send(encodeFrame(ping(this.serviceId)));
				await abortableSleep(this.config.pingIntervalMs, alive.signal);
				// nothing at all came back since the last ping: a half-open connection
				if (!alive.signal.aborted && lastReceived < pingAt) {
					this.deps.log.warn(`${LOG} no answer to a ping within ${Math.round(this.config.pingIntervalMs / 1000)} s`);
					socket.close(4000, 'no pong');
					finish();
				}
			}
		})();
		await whenClosed;
		this.stopping.signal.removeEventListener('abort', finish);
		await pings;
	}

	private receive(socket: SocketLike, data: unknown): void {
		const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
		// Feishu sends binary frames only
		if (!bytes) return this.deps.log.debug(`${LOG} ignored a text message`);
		let frame: Frame;
		try {
			frame = decodeFrame(bytes);
		} catch (error) {
			return this.deps.log.warn(`${LOG} ignored a frame that is not Feishu's format: ${(error as Error).message}`);
		}
		const type = headerOf(frame, 'type');
		if (frame.method === METHOD_CONTROL) {
			if (type === 'pong' && frame.payload?.length) this.applyConfig(configFrom(parseJson(frame.payload)));
			return;
		}
		// cards and anything else get no answer, as Feishu's SDKs do
		if (frame.method !== METHOD_DATA || type !== 'event') return;
		const receivedAt = this.now();
		const payload = frame.payload ?? new Uint8Array();
		const joined = this.joiner.add({ messageId: headerOf(frame, 'message_id'), sum: headerOf(frame, 'sum'), seq: headerOf(frame, 'seq'), payload }, receivedAt);
		if (joined.kind === 'refused') return this.deps.log.warn(`${LOG} ignored an event part: ${joined.reason}`);
		if (joined.kind === 'waiting') return;
		// acknowledged at once: Feishu sends the event again after 3 s without one
		socket.send(encodeFrame({ ...frame, headers: [...frame.headers, { key: 'biz_rt', value: String(this.now() - receivedAt) }], payload: Buffer.from('{"code":200}') }));
		try {
			this.deps.onEvent(joined.payload);
		} catch (error) {
			this.deps.log.warn(`${LOG} an event could not be handled: ${(error as Error).message}`);
		}
	}

	private applyConfig(update: Partial<ConnectionConfig>): void {
		const next = { ...this.config };
		for (const [key, [low, high]] of Object.entries(BOUNDS) as Array<[keyof typeof BOUNDS, readonly [number, number]]>) {
			const value = update[key];
			if (typeof value === 'number' && Number.isFinite(value)) next[key] = Math.min(high, Math.max(low, value));
		}
		if (typeof update.reconnectCount === 'number' && Number.isInteger(update.reconnectCount)) next.reconnectCount = update.reconnectCount;
		this.config = next;
	}

}

function parseJson(bytes: Uint8Array): unknown {
	try {
		return JSON.parse(Buffer.from(bytes).toString('utf8'));
	} catch {
		return undefined;
	}
}

function ping(serviceId: string): Frame {
	return { seqId: 0n, logId: 0n, service: Number(serviceId) || 0, method: METHOD_CONTROL, headers: [{ key: 'type', value: 'ping' }] };
}
