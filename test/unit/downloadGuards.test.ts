/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/** The download's guards on their own: the stream watch, store failures told as what they are, scrubbing. */
import { EventEmitter } from 'node:events';

import { watchStream } from '../../nodes/FeishuMinutes/helpers/streamWatch';
import { storeFailure } from '../../nodes/FeishuMinutes/transport/binaryStore';
import { scrub } from '../../nodes/FeishuMinutes/transport/classify';

/** A stream that only records being destroyed, as a silent source behind a wrapper behaves. */
class SilentStream extends EventEmitter {
	destroyedWith?: Error;

	destroy(error?: Error) {
		this.destroyedWith = error;
	}
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a stream silent for longer than the idle limit is destroyed, and its reader told', async () => {
	const stream = new SilentStream();
	const reader = jest.fn();
	stream.on('error', reader);
	const watch = watchStream(stream, { idleMs: 1000, deadline: Date.now() + 60_000, maxBytes: Infinity });
	stream.emit('data', Buffer.alloc(10));
	await jest.advanceTimersByTimeAsync(900);
	expect(watch.verdict).toBeUndefined();

	await jest.advanceTimersByTimeAsync(1500);
	expect(watch.verdict).toBe('idle');
	expect(stream.destroyedWith?.message).toBe('download idle');
	expect(reader).toHaveBeenCalledTimes(1);
	expect(watch.bytes).toBe(10);
});

test('a stream that keeps trickling is destroyed at the deadline', async () => {
	const stream = new SilentStream();
	stream.on('error', () => undefined);
	const watch = watchStream(stream, { idleMs: 1000, deadline: Date.now() + 3000, maxBytes: Infinity });
	for (let i = 0; i < 20; i++) {
		stream.emit('data', Buffer.alloc(1));
		await jest.advanceTimersByTimeAsync(250);
	}
	expect(watch.verdict).toBe('deadline');
});

test('more bytes than allowed: destroyed at once; a stopped watch never cuts', async () => {
	const stream = new SilentStream();
	stream.on('error', () => undefined);
	const watch = watchStream(stream, { idleMs: 1000, deadline: Date.now() + 3000, maxBytes: 100 });
	stream.emit('data', Buffer.alloc(101));
	expect(watch.verdict).toBe('tooLarge');

	const quiet = new SilentStream();
	const stopped = watchStream(quiet, { idleMs: 100, deadline: Date.now() + 100, maxBytes: 1 });
	stopped.stop();
	await jest.advanceTimersByTimeAsync(5000);
	expect(stopped.verdict).toBeUndefined();
	expect(quiet.destroyedWith).toBeUndefined();
});

test.each([
	[Object.assign(new RangeError('Invalid string length'), {}), /in-memory binary mode/, /N8N_DEFAULT_BINARY_DATA_MODE=filesystem/],
	[Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' }), /in-memory/, /filesystem/],
	[Object.assign(new Error('Failed to write binary file x because its size of 600 MB exceeds the max size limit of 512 MB'), { name: 'FileTooLargeError' }), /database binary store/, /N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/],
	[Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }), /disk .* is full/, /Free space/],
	[Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), /broke off/, /ECONNRESET/],
])('store failure %#', (error, message, description) => {
	const told = storeFailure(error);
	expect(told.message).toMatch(message);
	expect(told.description).toMatch(description);
});

test('scrub blanks secrets, bearer tokens, Feishu token shapes and secret-named fields', () => {
	const page = 'Authorization: Bearer t-abcdefghijkl123 refresh ur-0123456789abcdef {"app_secret":"s3cr3t-value","ok":1} password=hunter22 my-app-secret-literal';
	const scrubbed = scrub(page, ['my-app-secret-literal']);
	for (const secret of ['t-abcdefghijkl123', 'ur-0123456789abcdef', 's3cr3t-value', 'hunter22', 'my-app-secret-literal']) {
		expect(scrubbed).not.toContain(secret);
	}
	expect(scrubbed).toContain('"ok":1');
});
