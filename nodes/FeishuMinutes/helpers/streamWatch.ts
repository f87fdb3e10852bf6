import { sleep } from 'n8n-workflow';

/** Why a watched stream was cut off. */
export type WatchVerdict = 'idle' | 'deadline' | 'tooLarge';

export interface WatchLimits {
	/** Longest silence between two chunks. */
	idleMs: number;
	/** When the whole transfer must be done (ms since epoch). */
	deadline: number;
	/** Most bytes the stream may deliver. */
	maxBytes: number;
}

/** The parts of a readable stream the watch needs (typed without Node's stream module). */
export interface WatchedStream {
	emit(event: string | symbol, ...args: unknown[]): boolean;
	destroy(error?: Error): unknown;
	listenerCount(event: string | symbol): number;
	on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How long a destroyed stream gets to report its error itself. */
const REPORT_GRACE_MS = 200;

/**
 * Watches a response body while n8n's binary store reads it: counts bytes and cuts the stream off
 * (destroying it, so the store fails and removes its partial file) when it stays silent too long,
 * runs past the deadline or delivers more than allowed. It listens by wrapping `emit`, so it never
 * changes how or when the store consumes the stream. `stop()` ends the watch; `verdict` says why
 * the stream was cut, if it was.
 */
export function watchStream(stream: WatchedStream, limits: WatchLimits) {
	const state = { bytes: 0, lastData: Date.now(), verdict: undefined as WatchVerdict | undefined, stopped: false, reported: false };
	const cut = (verdict: WatchVerdict) => {
		if (state.verdict || state.stopped) return;
		state.verdict = verdict;
		const error = new Error(`download ${verdict}`);
		stream.destroy(error);
		// the stream may still report its end much later, when its source finally closes: nobody listens then
		stream.on('error', () => undefined);
		// A stream wrapping another (axios's size guard is an async generator over the response) reports
		// nothing until its silent source yields: tell the reader ourselves.
		void sleep(REPORT_GRACE_MS).then(() => {
			if (!state.reported && stream.listenerCount('error') > 1) stream.emit('error', error);
		});
	};
	const emit = stream.emit.bind(stream);
	stream.emit = (event: string | symbol, ...args: unknown[]) => {
		if (event === 'error' || event === 'close') state.reported = true;
		if (event === 'data') {
			state.bytes += (args[0] as { length?: number } | undefined)?.length ?? 0;
			state.lastData = Date.now();
			if (state.bytes > limits.maxBytes) cut('tooLarge');
		}
		return emit(event, ...args);
	};
	const tick = Math.max(50, Math.min(1000, limits.idleMs / 4));
	void (async () => {
		while (!state.stopped && !state.verdict) {
			await sleep(tick);
			const now = Date.now();
			if (now - state.lastData > limits.idleMs) cut('idle');
			else if (now > limits.deadline) cut('deadline');
		}
	})();
	return {
		get bytes() {
			return state.bytes;
		},
		get verdict() {
			return state.verdict;
		},
		stop() {
			state.stopped = true;
		},
	};
}
