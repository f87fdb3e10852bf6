/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** Feishu's gateway budgets: sliding windows per app and endpoint ("N requests per second / minute"). */
import type { ServerResponse } from 'node:http';

import { PLATFORM_ERRORS } from './contract';
import { sendJson } from './http';

export interface BudgetWindow {
	limit: number;
	windowMs: number;
}

export class Budgets {
	/** Answers refused for a budget (HTTP 429). */
	rateLimited = 0;

	/** The same, by app and endpoint. */
	readonly rateLimitedBy: Record<string, number> = {};

	/** Request arrival times per key and window. */
	private readonly arrivals = new Map<string, number[]>();

	/**
	 * True, with the 429 answered, when any of the windows is full; otherwise the request counts in every
	 * window (a refused request counts in none, as Feishu's gateway does).
	 */
	over(key: string, windows: BudgetWindow[], res: ServerResponse): boolean {
		const now = Date.now();
		const recent = windows.map(({ windowMs }) => {
			const kept = (this.arrivals.get(`${key} ${windowMs}`) ?? []).filter((at) => now - at < windowMs);
			this.arrivals.set(`${key} ${windowMs}`, kept);
			return kept;
		});
		const full = windows.findIndex(({ limit }, index) => recent[index].length >= limit);
		if (full < 0) {
			for (const arrivals of recent) arrivals.push(now);
			return false;
		}
		const { limit, windowMs } = windows[full];
		this.rateLimited++;
		this.rateLimitedBy[key] = (this.rateLimitedBy[key] ?? 0) + 1;
		res.setHeader('x-ogw-ratelimit-limit', String(limit));
		res.setHeader('x-ogw-ratelimit-reset', String(Math.max(1, Math.ceil((recent[full][0] + windowMs - now) / 1000))));
		const { status, code, msg } = PLATFORM_ERRORS.rateLimited;
		sendJson(res, status, { code, msg });
		return true;
	}
}
