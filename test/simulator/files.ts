/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The file-stream host that download URLs point at: another port, so another host to clients. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

import { mediaBytes, streamMediaBytes } from './content';
import type { SimulatedMinute } from './types';
import { asciiFallback } from './http';

/** One download answered otherwise than with the recording: another status, headers or body, or a stall. */
export interface DownloadFault {
	status?: number;
	/** Replace the recording's headers (Content-Length is set from the body unless given). */
	headers?: Record<string, string>;
	body?: string | Buffer;
	/** Send the recording's headers and this many bytes, then go silent (the connection stays open). */
	stallAfterBytes?: number;
	/** Send the recording's headers and this many bytes, then drop the connection (short of Content-Length). */
	cutAfterBytes?: number;
	/** Send the recording one small chunk at a time, this far apart. */
	trickleEveryMs?: number;
	/** Send only these bytes of the recording (inclusive), as 206 Partial Content with a Content-Range, or with `status`. */
	range?: { start: number; end: number };
	/** Send the recording gzip-compressed, although the client asked for it as it is (Accept-Encoding: identity). */
	gzip?: boolean;
	/** Send no Content-Length (the body goes chunked), as a proxy that re-encodes bodies does; with no `body`, the recording. */
	omitContentLength?: boolean;
}

export class FileHost {
	url = '';

	/** Answers for the next downloads, in order. */
	readonly faults: DownloadFault[] = [];

	/** Every download answers this status, as an expired or revoked URL does. */
	refusal?: number;

	/** Download codes handed out, and the minute each fetches. */
	private readonly codes = new Map<string, string>();

	constructor(
		private readonly minutes: ReadonlyMap<string, SimulatedMinute>,
		/** Each download answers with this many 302 hops before the file. */
		private readonly redirects: number,
	) {}

	/** A pre-signed download URL for the minute's recording. */
	issueUrl(minuteToken: string): string {
		const code = randomBytes(12).toString('hex');
		this.codes.set(code, minuteToken);
		return `${this.url}/space/api/box/stream/download/authcode/?code=${code}`;
	}

	/** Every URL handed out so far now answers 403, as after its day of validity. */
	expireAll(): void {
		this.codes.clear();
	}

	handle(req: IncomingMessage, res: ServerResponse): void {
		const url = new URL(req.url ?? '/', this.url);
		const hopsLeft = Number(url.searchParams.get('hops') ?? this.redirects);
		if (hopsLeft > 0) {
			url.searchParams.set('hops', String(hopsLeft - 1));
			res.writeHead(302, { Location: `${url.pathname}${url.search}` });
			res.end();
			return;
		}
		const minuteToken = this.codes.get(url.searchParams.get('code') ?? '');
		const minute = minuteToken === undefined ? undefined : this.minutes.get(minuteToken);
		if (url.pathname !== '/space/api/box/stream/download/authcode/' || !minute || this.refusal) {
			res.writeHead(this.refusal ?? 403, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ code: 1061004, msg: 'forbidden' }));
			return;
		}
		const fault = this.faults.shift();
		const altered = fault && (fault.range || fault.gzip || (fault.omitContentLength && fault.body === undefined));
		if (fault && !altered && !fault.stallAfterBytes && !fault.cutAfterBytes && !fault.trickleEveryMs) {
			const body = fault.body ?? '';
			const length: Record<string, string> = fault.omitContentLength ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
			res.writeHead(fault.status ?? 200, { ...length, ...fault.headers });
			res.end(body);
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
		if (altered) {
			sendAltered(res, fault, headers, mediaBytes(minute.token, size));
			return;
		}
		res.writeHead(200, headers);
		if (fault?.stallAfterBytes) {
			res.write(mediaBytes(minute.token, fault.stallAfterBytes));
			return;
		}
		if (fault?.trickleEveryMs) {
			trickle(res, mediaBytes(minute.token, size), fault.trickleEveryMs);
			return;
		}
		const cutAfter = fault?.cutAfterBytes ?? minute.cutDownloadAfter;
		if (cutAfter !== undefined) {
			res.write(mediaBytes(minute.token, cutAfter), () => res.socket?.destroy());
			return;
		}
		streamMediaBytes(minute.token, size, res);
	}
}

/** The recording, or a part of it, sent otherwise than asked: partial (206), gzip-compressed, without Content-Length. */
function sendAltered(res: ServerResponse, fault: DownloadFault, headers: Record<string, string | number>, recording: Buffer): void {
	let body = recording;
	let status = fault.status ?? 200;
	if (fault.range) {
		body = recording.subarray(fault.range.start, fault.range.end + 1);
		status = fault.status ?? 206;
		headers['Content-Range'] = `bytes ${fault.range.start}-${fault.range.end}/${recording.length}`;
	}
	if (fault.gzip) {
		body = gzipSync(body);
		headers['Content-Encoding'] = 'gzip';
	}
	headers['Content-Length'] = body.length;
	if (fault.omitContentLength) delete headers['Content-Length'];
	res.writeHead(status, headers);
	res.end(body);
}

/** Sends 16 bytes every `everyMs` until done or the client goes away. */
function trickle(res: ServerResponse, bytes: Buffer, everyMs: number): void {
	let sent = 0;
	const timer = setInterval(() => {
		if (res.destroyed || sent >= bytes.length) {
			clearInterval(timer);
			if (!res.destroyed) res.end();
			return;
		}
		res.write(bytes.subarray(sent, sent + 16));
		sent += 16;
	}, everyMs);
	res.on('close', () => clearInterval(timer));
}
