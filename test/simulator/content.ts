/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** What the simulated Feishu serves: recordings generated from the minute token, and transcripts. */
import type { ServerResponse } from 'node:http';

const CHUNK = 64 * 1024;

/** The recording's bytes: a pattern seeded by the minute token, cheap to regenerate at any size. */
export function mediaChunk(minuteToken: string): Buffer {
	const seed = Buffer.from(minuteToken);
	const chunk = Buffer.alloc(CHUNK);
	for (let i = 0; i < CHUNK; i++) chunk[i] = (seed[i % seed.length] + i * 31) & 0xff;
	return chunk;
}

export function mediaBytes(minuteToken: string, size: number): Buffer {
	const chunk = mediaChunk(minuteToken);
	const out = Buffer.alloc(size);
	for (let offset = 0; offset < size; offset += CHUNK) chunk.copy(out, offset, 0, Math.min(CHUNK, size - offset));
	return out;
}

export function streamMediaBytes(minuteToken: string, size: number, res: ServerResponse): void {
	const chunk = mediaChunk(minuteToken);
	let sent = 0;
	const pump = (): void => {
		while (sent < size) {
			const piece = chunk.subarray(0, Math.min(CHUNK, size - sent));
			sent += piece.length;
			if (!res.write(piece)) {
				res.once('drain', pump);
				return;
			}
		}
		res.end();
	};
	res.on('error', () => undefined);
	pump();
}

/** A two-line transcript in Feishu's txt or srt shape, with speakers and timestamps as asked. */
export function transcript(format: string, speaker: boolean, timestamp: boolean): string {
	const lines = [
		{ who: '张三', from: '00:00:01,000', to: '00:00:04,000', text: '大家好，我们开始周会。' },
		{ who: 'Li Si', from: '00:00:05,000', to: '00:00:08,500', text: 'Shipping update: the release is on track.' },
	];
	if (format === 'srt') {
		return lines
			.map((line, i) => `${i + 1}\n${line.from} --> ${line.to}\n${speaker ? `${line.who}: ` : ''}${line.text}\n`)
			.join('\n');
	}
	return lines
		.map((line) => `${speaker ? `${line.who} ` : ''}${timestamp ? `${line.from.slice(0, 8)}` : ''}\n${line.text}\n`)
		.join('\n');
}

