/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BinaryDataService } from 'n8n-core';

import { mediaBytes, type FeishuSimulator } from './simulator/FeishuSimulator';
import { NODE_NAME, itemsWithMinutes, runMinutes, startFeishu } from './harness/fixtures';
import { useFilesystemBinaryData, type CredentialStore } from './harness/runWorkflow';

// n8n's default binary mode: files go to disk as they stream in, not into the execution data.
let storage: string;
let binaryData: BinaryDataService;
let feishu: FeishuSimulator;
let store: CredentialStore;

beforeAll(async () => {
	storage = mkdtempSync(join(tmpdir(), 'feishu-minutes-binary-'));
	binaryData = await useFilesystemBinaryData(storage);
});
afterAll(() => rmSync(storage, { recursive: true, force: true }));
beforeEach(async () => {
	({ feishu, store } = await startFeishu());
	feishu.addMinute({ token: 'ffffffffffffffffffffffff', size: 8 * 1024 * 1024 + 123, title: 'All hands' });
});
afterEach(async () => await feishu.stop());

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((entry) => statSync(join(dir, entry)).isFile());
}

test('a download is written to n8n\'s binary storage byte for byte, and the item only references it', async () => {
	const token = 'ffffffffffffffffffffffff';
	const size = 8 * 1024 * 1024 + 123;

	const result = await runMinutes(store, { minute: token, output: 'file' });

	expect(result.error).toBeUndefined();
	const binary = result.output(NODE_NAME)[0].binary!.data;
	expect(binary.id).toMatch(/^filesystem/);
	expect(binary.data).not.toHaveLength(size); // a reference, not the file inlined as base64
	expect(binary.bytes).toBe(size);
	const stored = await binaryData.getAsBuffer(binary);
	expect(stored.equals(mediaBytes(token, size))).toBe(true);
	expect(filesUnder(storage).length).toBeGreaterThan(0);
});

test('a download cut off mid-file fails the item clearly and leaves no partial file behind', async () => {
	const token = 'cutcutcutcutcutcutcutcut';
	feishu.addMinute({ token, size: 4 * 1024 * 1024, cutDownloadAfter: 1024 * 1024 });
	const filesBefore = filesUnder(storage);

	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', output: 'file' },
		{ items: itemsWithMinutes([token, 'ffffffffffffffffffffffff']), continueOnFail: true },
	);

	const [cut, whole] = result.output(NODE_NAME);
	expect(cut.json.error).toBe('The media download broke off before the file was complete');
	expect(cut.binary).toBeUndefined();
	expect(whole.binary?.data.bytes).toBe(8 * 1024 * 1024 + 123);
	const added = filesUnder(storage).filter((file) => !filesBefore.includes(file));
	expect(added.some((file) => file.includes('.tmp.'))).toBe(false);
	// only the complete download (file + metadata) was added
	expect(added).toHaveLength(2);
});

test('a download that stalls mid-body (Max Retries 0) fails within Timeout and leaves no partial file behind', async () => {
	feishu.injectDownloadFault({ stallAfterBytes: 2 * 1024 * 1024 });
	const filesBefore = filesUnder(storage);

	const result = await runMinutes(
		store,
		{ minute: '={{ $json.minute }}', output: 'file', options: { timeoutSeconds: 1, parallelDownloads: 1, maxRetries: 0 } },
		{ items: itemsWithMinutes(['ffffffffffffffffffffffff', 'ffffffffffffffffffffffff']), continueOnFail: true },
	);

	const [stalled, whole] = result.output(NODE_NAME);
	expect(stalled.json.error).toBe('The media download stalled: the file server sent nothing for 1 s');
	expect(whole.binary?.data.bytes).toBe(8 * 1024 * 1024 + 123);
	const added = filesUnder(storage).filter((file) => !filesBefore.includes(file));
	expect(added.some((file) => file.includes('.tmp.'))).toBe(false);
	expect(added).toHaveLength(2);
});
