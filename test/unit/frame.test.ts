/** The long connection's frames and fragments: round trips, Feishu's bytes, and what a hostile or broken peer may send. */
import { decodeFrame, encodeFrame, type Frame, FrameError, MAX_FRAME_BYTES } from '../../nodes/FeishuMinutes/longConnection/frame';
import { FragmentJoiner } from '../../nodes/FeishuMinutes/longConnection/fragments';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => Uint8Array.from(Buffer.from(value, 'utf8'));

describe('frames', () => {
	test('round trips: 64-bit IDs past 2^53, a negative service, UTF-8 headers, a binary payload, every optional field', () => {
		const frames: Frame[] = [
			{ seqId: 0n, logId: 0n, service: 0, method: 0, headers: [{ key: 'type', value: 'ping' }] },
			{
				seqId: 18446744073709551615n,
				logId: 9007199254740993n,
				service: -7,
				method: 1,
				headers: [
					{ key: 'type', value: 'event' },
					{ key: 'message_id', value: '消息-1' },
					{ key: 'empty', value: '' },
				],
				payloadEncoding: 'json',
				payloadType: 'event',
				payload: Uint8Array.from([0, 255, 10, 128]),
				logIdNew: 'log-新',
			},
		];
		for (const frame of frames) expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
	});

	test('reads Feishu\'s bytes as protobuf lays them out: fields in any order, unknown fields skipped', () => {
		// method=1, service=3, seqId=300 (two-byte varint), an unknown varint field 15, logId=1, header type=event, an unknown fixed32, payload "{}"
		const frame = decodeFrame(bytes(0x20, 1, 0x18, 3, 0x08, 0xac, 0x02, 0x78, 5, 0x10, 1, 0x2a, 13, 0x0a, 4, ...text('type'), 0x12, 5, ...text('event'), 0x6d, 1, 2, 3, 4, 0x42, 2, ...text('{}')));
		expect(frame).toEqual({ seqId: 300n, logId: 1n, service: 3, method: 1, headers: [{ key: 'type', value: 'event' }], payload: text('{}') });
	});

	test.each([
		['empty', bytes()],
		['a required field missing (method)', bytes(0x08, 1, 0x10, 1, 0x18, 1)],
		['a number cut off', bytes(0x08, 0x80)],
		['a number over 10 bytes', bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
		['a field longer than the frame', bytes(0x08, 1, 0x10, 1, 0x18, 1, 0x20, 1, 0x42, 100, 1, 2)],
		['a length of 2^60', bytes(0x08, 1, 0x10, 1, 0x18, 1, 0x20, 1, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10)],
		['the wrong wire type for a known field', bytes(0x0a, 1, 0, 0x10, 1, 0x18, 1, 0x20, 1)],
		['a group (wire type 3)', bytes(0x08, 1, 0x10, 1, 0x18, 1, 0x20, 1, 0x7b)],
		['a header without its value', bytes(0x08, 1, 0x10, 1, 0x18, 1, 0x20, 1, 0x2a, 3, 0x0a, 1, 0x61)],
		['field number 0', bytes(0x00, 1)],
	])('refused: %s', (_case, input) => {
		expect(() => decodeFrame(input)).toThrow(FrameError);
	});

	test('refused: more than 64 headers, and a frame over the size bound (without reading it)', () => {
		const many: Frame = { seqId: 1n, logId: 1n, service: 1, method: 1, headers: Array.from({ length: 65 }, (_, index) => ({ key: `k${index}`, value: 'v' })) };
		expect(() => decodeFrame(encodeFrame(many))).toThrow('more than 64 headers');
		expect(() => decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow('larger than');
	});

	test('random garbage never throws anything but FrameError, and never hangs', () => {
		let seed = 42;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
		for (let run = 0; run < 2000; run++) {
			const input = Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
			try {
				decodeFrame(input);
			} catch (error) {
				expect(error).toBeInstanceOf(FrameError);
			}
		}
	});
});

describe('fragments', () => {
	const part = (seq: number, sum: number, payload: string, messageId = 'm1') => ({ messageId, sum: String(sum), seq: String(seq), payload: text(payload) });

	test('parts are joined in seq order whatever order they come in; a part sent again changes nothing', () => {
		const joiner = new FragmentJoiner();
		expect(joiner.add(part(2, 3, 'c'), 0)).toEqual({ kind: 'waiting' });
		expect(joiner.add(part(0, 3, 'a'), 1)).toEqual({ kind: 'waiting' });
		expect(joiner.add(part(0, 3, 'X'), 2)).toEqual({ kind: 'waiting' });
		expect(joiner.add(part(1, 3, 'b'), 3)).toEqual({ kind: 'complete', payload: Uint8Array.from(Buffer.from('abc')) });
		expect(joiner.waiting).toBe(0);
		// a whole event in one frame, with or without sum / seq
		expect(joiner.add({ messageId: undefined, sum: undefined, seq: undefined, payload: text('{}') }, 4)).toMatchObject({ kind: 'complete' });
	});

	test.each([
		['sum 0', part(0, 0, 'a')],
		['sum 65', part(0, 65, 'a')],
		['seq beyond sum', part(3, 3, 'a')],
		['seq not a number', { ...part(0, 2, 'a'), seq: '-1' }],
		['sum not a number', { ...part(0, 2, 'a'), sum: 'NaN' }],
		['no message_id on a part', { ...part(0, 2, 'a'), messageId: undefined }],
	])('refused: %s', (_case, fragment) => {
		expect(new FragmentJoiner().add(fragment, 0)).toMatchObject({ kind: 'refused' });
	});

	test('bounded: an incomplete message expires; too many waiting messages or bytes are refused', () => {
		const joiner = new FragmentJoiner({ maxParts: 64, maxPending: 2, maxBytes: 10, expiryMs: 1000 });
		joiner.add(part(0, 2, 'a', 'old'), 0);
		expect(joiner.add(part(1, 2, 'b', 'old'), 1001)).toEqual({ kind: 'waiting' });
		joiner.add(part(0, 2, 'a', 'm2'), 1001);
		expect(joiner.add(part(0, 2, 'a', 'm3'), 1002)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('messages are waiting') });
		expect(new FragmentJoiner({ maxParts: 64, maxPending: 4, maxBytes: 10, expiryMs: 1000 }).add(part(0, 2, 'x'.repeat(11)), 0)).toMatchObject({ kind: 'refused' });
		const changing = new FragmentJoiner();
		changing.add(part(0, 2, 'a'), 0);
		expect(changing.add(part(1, 3, 'b'), 1)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('changed its sum') });
		expect(changing.waiting).toBe(0);
	});
});
