/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The Minutes read endpoints' answers: metadata, statistics, AI notes and the transcript. */
import type { ServerResponse } from 'node:http';

import { transcript } from './content';
import { DEFAULT_CREATE_TIME, MEDIA_ERRORS } from './contract';
import { delay, sendJson } from './http';
import type { SimulatedMinute } from './types';

export function sendMediaError(res: ServerResponse, code: number): void {
	const { status, msg } = MEDIA_ERRORS[code];
	sendJson(res, status, { code, msg });
}

/** The media endpoint: a download URL (from `issueUrl`), or the minute's error, or 2091003 while it is still transcribing. */
export async function answerMedia(minute: SimulatedMinute | undefined, minuteToken: string, issueUrl: (token: string) => string, res: ServerResponse): Promise<void> {
	if (minuteToken.length !== 24) return sendMediaError(res, 2091001);
	if (!minute) return sendMediaError(res, 2091002);
	if (minute.latencyMs) await delay(minute.latencyMs);
	if (minute.mediaError) return sendMediaError(res, minute.mediaError);
	if (minute.readyAfterPolls) {
		minute.readyAfterPolls--;
		return sendMediaError(res, 2091003);
	}
	sendJson(res, 200, { code: 0, msg: 'success', data: { download_url: issueUrl(minute.token) } });
}

/** Metadata, statistics, AI notes and transcript share the media endpoint's errors. */
export function answerMinute(
minute: SimulatedMinute | undefined,
minuteToken: string,
endpoint: string | undefined,
query: URLSearchParams,
fileUrl: string,
res: ServerResponse,
): void {
	if (minuteToken.length !== 24) return sendMediaError(res, 2091001);
	if (!minute) return sendMediaError(res, 2091002);
	if (minute.mediaError && minute.mediaError !== 2091003) return sendMediaError(res, minute.mediaError);
	const title = minute.title ?? minute.token;
	const data = (payload: unknown) => sendJson(res, 200, { code: 0, msg: 'success', data: payload });
	if (endpoint === undefined) {
		return data({
			minute: {
				token: minute.token,
				owner_id: 'ou_simulated_owner',
				create_time: String(minute.createTime ?? DEFAULT_CREATE_TIME),
				title,
				cover: `${fileUrl}/cover/${minute.token}.png`,
				duration: '1800000',
				url: `https://sample.feishu.cn/minutes/${minute.token}`,
			},
		});
	}
	if (endpoint === '/artifacts') {
		return data({
			summary: `${title}: the team reviewed the release plan.`,
			minute_chapters: [{ title: 'Release plan', start_ms: 1000, stop_ms: 60000, summary_content: 'On track for Friday.' }],
			minute_todos: [{ content: 'Send the release notes', assignees: ['ou_simulated_owner'] }],
		});
	}
	if (endpoint === '/statistics') {
		return data({
			statistics: {
				user_view_count: '3',
				page_view_count: '7',
				user_view_list: [{ user_id: 'ou_simulated_viewer', view_time: '1732410000000' }],
			},
		});
	}
	const format = query.get('file_format') ?? 'txt';
	if (format !== 'txt' && format !== 'srt') return sendMediaError(res, 2091001);
	res.writeHead(200, {
		'Content-Type': 'text/plain; charset=utf-8',
		'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(`${title}.${format}`)}`,
	});
	res.end(transcript(format, query.get('need_speaker') === 'true', query.get('need_timestamp') === 'true'));
}
