/** The file-stream host that download URLs point at: another port, so another host to clients. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { mediaBytes, streamMediaBytes } from './content';
import type { SimulatedMinute } from './types';
import { asciiFallback } from './http';

export class FileHost {
	url = '';

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
}
