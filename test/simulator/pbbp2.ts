/**
 * Feishu's long-connection frame (pbbp2.Frame, proto2), encoded and decoded as protobufjs does in Feishu's SDKs
 * (../notes/ws-facts.md §2): fields 1–4 always written, a decoder that takes any field order, skips unknown fields,
 * and refuses truncated input, groups and missing required fields. uint64 IDs are bigints (they pass 2^53).
 */

export interface FrameHeader {
	key: string;
	value: string;
}

export interface Frame {
	/** Field 1, uint64. */
	seqId: bigint;
	/** Field 2, uint64. */
	logId: bigint;
	/** Field 3, int32: the URL's service_id. */
	service: number;
	/** Field 4, int32: 0 control, 1 data. */
	method: number;
	/** Field 5, repeated Header {1 key, 2 value}. */
	headers: FrameHeader[];
	/** Field 6. */
	payloadEncoding?: string;
	/** Field 7. */
	payloadType?: string;
	/** Field 8. */
	payload?: Uint8Array;
	/** Field 9. */
	logIdNew?: string;
}

export const METHOD_CONTROL = 0;
export const METHOD_DATA = 1;

const utf8 = new TextEncoder();
const text = new TextDecoder();

function varint(value: bigint, out: number[]): void {
	let rest = BigInt.asUintN(64, value);
	while (rest > 0x7fn) {
		out.push(Number(rest & 0x7fn) | 0x80);
		rest >>= 7n;
	}
	out.push(Number(rest));
}

function bytesField(field: number, bytes: Uint8Array, out: number[]): void {
	out.push((field << 3) | 2);
	varint(BigInt(bytes.length), out);
	for (const byte of bytes) out.push(byte);
}

/** One Header submessage. */
function encodeHeader({ key, value }: FrameHeader): Uint8Array {
	const out: number[] = [];
	bytesField(1, utf8.encode(key), out);
	bytesField(2, utf8.encode(value), out);
	return Uint8Array.from(out);
}

export function encodeFrame(frame: Frame): Uint8Array {
	const out: number[] = [];
	out.push(0x08);
	varint(frame.seqId, out);
	out.push(0x10);
	varint(frame.logId, out);
	// int32: a negative value is sign-extended to 64 bits (10 bytes), as protobuf does
	out.push(0x18);
	varint(BigInt(frame.service | 0), out);
	out.push(0x20);
	varint(BigInt(frame.method | 0), out);
	for (const header of frame.headers) bytesField(5, encodeHeader(header), out);
	if (frame.payloadEncoding !== undefined) bytesField(6, utf8.encode(frame.payloadEncoding), out);
	if (frame.payloadType !== undefined) bytesField(7, utf8.encode(frame.payloadType), out);
	if (frame.payload !== undefined) bytesField(8, frame.payload, out);
	if (frame.logIdNew !== undefined) bytesField(9, utf8.encode(frame.logIdNew), out);
	return Uint8Array.from(out);
}

/** Reads protobuf fields one after another; throws on anything malformed. */
class Reader {
	private at = 0;

	constructor(private readonly bytes: Uint8Array) {}

	get done(): boolean {
		return this.at >= this.bytes.length;
	}

	varint(): bigint {
		let value = 0n;
		for (let shift = 0n; shift < 70n; shift += 7n) {
			if (this.at >= this.bytes.length) throw new Error('pbbp2: truncated varint');
			const byte = this.bytes[this.at++];
			value |= BigInt(byte & 0x7f) << shift;
			if (!(byte & 0x80)) return BigInt.asUintN(64, value);
		}
		throw new Error('pbbp2: varint longer than 10 bytes');
	}

	chunk(): Uint8Array {
		const length = this.varint();
		if (length > BigInt(this.bytes.length - this.at)) throw new Error('pbbp2: length past the end');
		const start = this.at;
		this.at += Number(length);
		return this.bytes.subarray(start, this.at);
	}

	skip(wireType: number): void {
		if (wireType === 0) this.varint();
		else if (wireType === 2) this.chunk();
		else if (wireType === 1 || wireType === 5) {
			const size = wireType === 1 ? 8 : 4;
			if (this.at + size > this.bytes.length) throw new Error('pbbp2: truncated fixed field');
			this.at += size;
		} else throw new Error(`pbbp2: wire type ${wireType} not supported`);
	}

	/** The next field's number and wire type. */
	tag(): [number, number] {
		const tag = this.varint();
		const field = Number(tag >> 3n);
		if (field === 0) throw new Error('pbbp2: field number 0');
		return [field, Number(tag & 7n)];
	}
}

const int32 = (value: bigint) => Number(BigInt.asIntN(32, value));

function expectWireType(field: number, actual: number, expected: number): void {
	if (actual !== expected) throw new Error(`pbbp2: field ${field} has wire type ${actual}, expected ${expected}`);
}

function decodeHeader(bytes: Uint8Array): FrameHeader {
	const reader = new Reader(bytes);
	let key: string | undefined;
	let value: string | undefined;
	while (!reader.done) {
		const [field, wireType] = reader.tag();
		if (field === 1 || field === 2) {
			expectWireType(field, wireType, 2);
			const read = text.decode(reader.chunk());
			if (field === 1) key = read;
			else value = read;
		} else reader.skip(wireType);
	}
	if (key === undefined) throw new Error("pbbp2: header missing required 'key'");
	if (value === undefined) throw new Error("pbbp2: header missing required 'value'");
	return { key, value };
}

export function decodeFrame(bytes: Uint8Array): Frame {
	const reader = new Reader(bytes);
	const scalars: Array<bigint | undefined> = [];
	const frame: Partial<Frame> & { headers: FrameHeader[] } = { headers: [] };
	while (!reader.done) {
		const [field, wireType] = reader.tag();
		if (field >= 1 && field <= 4) {
			expectWireType(field, wireType, 0);
			scalars[field] = reader.varint();
		} else if (field >= 5 && field <= 9) {
			expectWireType(field, wireType, 2);
			const chunk = reader.chunk();
			if (field === 5) frame.headers.push(decodeHeader(chunk));
			else if (field === 6) frame.payloadEncoding = text.decode(chunk);
			else if (field === 7) frame.payloadType = text.decode(chunk);
			else if (field === 8) frame.payload = Uint8Array.from(chunk);
			else frame.logIdNew = text.decode(chunk);
		} else reader.skip(wireType);
	}
	const names = ['', 'SeqID', 'LogID', 'service', 'method'];
	for (let field = 1; field <= 4; field++) {
		if (scalars[field] === undefined) throw new Error(`pbbp2: missing required '${names[field]}'`);
	}
	return { ...frame, seqId: scalars[1]!, logId: scalars[2]!, service: int32(scalars[3]!), method: int32(scalars[4]!) };
}

/** The first header with this key, as the SDKs read it. */
export function headerOf(frame: Frame, key: string): string | undefined {
	return frame.headers.find((header) => header.key === key)?.value;
}
