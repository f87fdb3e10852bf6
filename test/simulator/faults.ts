/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Raw answers that replace the API's: one-off faults and outages (gateway pages, bad JSON, resets). */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Fault } from './types';

export class Faults {
	private readonly faults: Fault[] = [];

	/** Paths that answer a fault until a given time (an outage), whatever the request. */
	private readonly outages: Array<{ fault: Fault; until: number }> = [];

	/** The next API request whose path includes `fault.pathIncludes` gets this raw answer instead. */
	inject(fault: Fault): void {
		this.faults.push(fault);
	}

	/** Every API request whose path includes `fault.pathIncludes` gets this answer for `ms`. */
	outage(fault: Fault, ms: number): void {
		const now = Date.now();
		for (let i = this.outages.length - 1; i >= 0; i--) if (this.outages[i].until <= now) this.outages.splice(i, 1);
		this.outages.push({ fault, until: now + ms });
	}

	/** Answers the request with its fault, if one matches; true when it did. */
	answered(path: string, req: IncomingMessage, res: ServerResponse): boolean {
		const faultIndex = this.faults.findIndex((fault) => path.includes(fault.pathIncludes));
		const outage = this.outages.find((candidate) => path.includes(candidate.fault.pathIncludes) && Date.now() < candidate.until);
		if (faultIndex < 0 && !outage) return false;
		const fault = outage?.fault ?? this.faults.splice(faultIndex, 1)[0];
		if (fault.reset) {
			req.socket.destroy();
			return true;
		}
		res.writeHead(fault.status ?? 500, fault.headers ?? { 'Content-Type': 'text/html' });
		// a proxy that echoes the request's token back
		res.end((fault.body ?? '').split('{{token}}').join(req.headers.authorization?.replace(/^Bearer /, '') ?? ''));
		return true;
	}
}
