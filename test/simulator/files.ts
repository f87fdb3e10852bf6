/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The file-stream host that download URLs point at: another port, so another host to clients. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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
	/** Send the recording one small chunk at a time, this far apart. */
	trickleEveryMs?: number;
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
		if (fault && !fault.stallAfterBytes && !fault.trickleEveryMs) {
			const body = fault.body ?? '';
			res.writeHead(fault.status ?? 200, { 'Content-Length': String(Buffer.byteLength(body)), ...fault.headers });
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
		res.writeHead(200, headers);
		if (fault?.stallAfterBytes) {
			res.write(mediaBytes(minute.token, fault.stallAfterBytes));
			return;
		}
		if (fault?.trickleEveryMs) {
			trickle(res, mediaBytes(minute.token, size), fault.trickleEveryMs);
			return;
		}
		if (minute.cutDownloadAfter !== undefined) {
			res.write(mediaBytes(minute.token, minute.cutDownloadAfter), () => res.socket?.destroy());
			return;
		}
		streamMediaBytes(minute.token, size, res);
	}
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
