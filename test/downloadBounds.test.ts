/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * A download is bounded whatever its headers say, and only a whole file is saved as the recording.
 * n8n's HTTP layer (axios) inflates a gzip body and drops its Content-Encoding, keeping the compressed
 * Content-Length if there is one: a body without one can inflate to anything.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { BinaryDataService } from 'n8n-core';

import { mediaBytes, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, READY_TOKEN, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import { useFilesystemBinaryData, type CredentialStore } from './harness/runWorkflow';

const MIB = 1024 * 1024;
const SECOND = 'obcnsecondminute00000002';
const SECOND_SIZE = 32 * 1024;

let feishu: FeishuSimulator;
let store: CredentialStore;

beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	feishu.addMinute({ token: SECOND, title: 'Second', size: SECOND_SIZE });
});
afterEach(async () => await feishu.stop());

/** A gzip body of `mib` MiB of zeros, about 1 KB on the wire per MiB (concatenated 16 MiB members). */
function gzipBomb(mib: number): Buffer {
	const member = gzipSync(Buffer.alloc(Math.min(16, mib) * MIB), { level: 9 });
	return Buffer.concat(Array.from({ length: Math.ceil(mib / 16) }, () => member));
}

const bombFault = (bomb: Buffer) => ({
	status: 200,
	body: bomb,
	headers: { 'Content-Type': 'video/mp4', 'Content-Encoding': 'gzip' },
	omitContentLength: true,
});

/** Two items, one download at a time (so faults meet the first), and what `sample` saw at its peak meanwhile. */
async function downloadTwo(sample: () => number = () => 0) {
	let peak = sample();
	const start = peak;
	const timer = setInterval(() => (peak = Math.max(peak, sample())), 20);
	try {
		const result = await runMinutes(
			store,
			{ minute: '={{ $json.minute }}', output: 'file', options: { parallelDownloads: 1 } },
			{ items: itemsWithMinutes([READY_TOKEN, SECOND]), continueOnFail: true },
		);
		const [first, second] = result.output(NODE_NAME);
		return { first, second, growth: Math.max(peak, sample()) - start };
	} finally {
		clearInterval(timer);
	}
}

describe('a compressed body of undeclared size cannot inflate without bound', () => {
	test('memory mode: 1 MB on the wire inflating to 1 GiB fails the item, naming the cause; memory stays bounded', async () => {
		const bomb = gzipBomb(1024);
		feishu.injectDownloadFault(bombFault(bomb));

		const { first, second, growth } = await downloadTwo(() => process.memoryUsage().rss);

		expect(bomb.length).toBeLessThan(1.1 * MIB);
		expect(first.binary).toBeUndefined();
		expect(first.json.error).toBe('The file server sent more than 256 MiB without declaring the recording\'s size');
		expect(String(first.json.description)).toContain('Nothing partial was kept');
		expect(String(first.json.description)).toContain('Content-Length');
		expect(second.binary?.data.bytes).toBe(SECOND_SIZE);
		// today's code held the whole inflated GiB (+1.8 GiB RSS); the bound is 256 MiB of file
		expect(growth / MIB).toBeLessThan(400);
	}, 60_000);
});

describe('only a whole file is saved as the recording', () => {
	test.each([
		['206 Partial Content with the first 64 KiB', { range: { start: 0, end: 65535 } }, 'HTTP 206, Content-Range "bytes 0-65535/262144"'],
		['206 Partial Content without a Content-Range', { status: 206, body: Buffer.alloc(1024), headers: { 'Content-Type': 'video/mp4' } }, 'HTTP 206'],
		['200 with a Content-Range of the file\'s tail', { range: { start: 1024, end: 262143 }, status: 200 }, 'HTTP 200, Content-Range "bytes 1024-262143/262144"'],
		['200 with a Content-Range of unknown total', { status: 200, body: Buffer.alloc(1024), headers: { 'Content-Type': 'video/mp4', 'Content-Range': 'bytes 0-1023/*' } }, 'HTTP 200, Content-Range "bytes 0-1023/*"'],
	])('%s; a 200 whose Content-Range is the whole file is saved', async (_case, fault, detail) => {
		feishu.injectDownloadFault(fault);
		feishu.injectDownloadFault({ range: { start: 0, end: SECOND_SIZE - 1 }, status: 200 });

		const { first, second } = await downloadTwo();

		expect(first.binary).toBeUndefined();
		expect(first.json.error).toBe(`The file server sent only part of the recording (${detail})`);
		expect(String(first.json.description)).toContain('nothing was kept');
		expect(second.binary?.data.bytes).toBe(SECOND_SIZE);
	});
});

// last: n8n's binary data stays in filesystem mode for the rest of this file
describe('in filesystem mode, a compressed body of undeclared size cannot inflate without bound either', () => {
	let storage: string;
	let binaryData: BinaryDataService;
	beforeAll(async () => {
		storage = mkdtempSync(join(tmpdir(), 'feishu-minutes-bounds-'));
		binaryData = await useFilesystemBinaryData(storage);
	});
	afterAll(() => rmSync(storage, { recursive: true, force: true }));

	// files come and go while n8n writes: one gone between listing and stat counts as nothing
	const stat = (file: string) => statSync(join(storage, file), { throwIfNoEntry: false });
	const files = () => readdirSync(storage, { recursive: true, encoding: 'utf8' }).filter((entry) => stat(entry)?.isFile());
	const storedBytes = () => files().reduce((sum, file) => sum + (stat(file)?.size ?? 0), 0);

	test('300 KB inflating to 300 MiB fails, no partial file is kept; a small recording sent compressed without a size is still saved whole', async () => {
		const bomb = gzipBomb(300);
		feishu.injectDownloadFault(bombFault(bomb));
		feishu.injectDownloadFault({ gzip: true, omitContentLength: true });
		const before = files();

		const { first, second, growth } = await downloadTwo(storedBytes);

		expect(bomb.length).toBeLessThan(320 * 1024);
		expect(first.binary).toBeUndefined();
		expect(first.json.error).toBe('The file server sent more than 256 MiB without declaring the recording\'s size');
		expect(growth / MIB).toBeLessThan(258);
		const kept = second.binary!.data;
		expect(kept.bytes).toBe(SECOND_SIZE);
		expect((await binaryData.getAsBuffer(kept)).equals(mediaBytes(SECOND, SECOND_SIZE))).toBe(true);
		// only the second item's file and its metadata were added
		expect(files().filter((file) => !before.includes(file))).toHaveLength(2);
	}, 60_000);
});
