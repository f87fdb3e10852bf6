/**
 * Feishu's long-connection frames (`pbbp2.Frame`, protobuf 2), encoded and decoded by hand so the package
 * needs no runtime dependency. Field numbers from Feishu's SDKs (node-sdk `ws-client/proto-buf/pbbp2`):
 * 1 SeqID uint64, 2 LogID uint64, 3 service int32, 4 method int32 (all four required), 5 headers (repeated
 * Header{1 key, 2 value}, both required), 6 payload_encoding, 7 payload_type, 8 payload bytes, 9 LogIDNew.
 */

export interface FrameHeader {
	key: string;
	value: string;
}

export interface Frame {
	seqId: bigint;
	logId: bigint;
	service: number;
	/** 0 control (ping / pong), 1 data (events). */
	method: number;
	headers: FrameHeader[];
	payloadEncoding?: string;
	payloadType?: string;
	payload?: Uint8Array;
	logIdNew?: string;
}

export const METHOD_CONTROL = 0;
export const METHOD_DATA = 1;

/** Frames are a few KB; an event may be split, and its parts are bounded again when joined. */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

const MAX_HEADERS = 64;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Why a frame could not be read: it is ignored, and the connection goes on. */
export class FrameError extends Error {}

export function headerOf(frame: Frame, key: string): string | undefined {
	return frame.headers.find((header) => header.key === key)?.value;
}

export function encodeFrame(frame: Frame): Uint8Array {
	const out: number[] = [];
	writeVarintField(out, 1, frame.seqId);
	writeVarintField(out, 2, frame.logId);
	writeVarintField(out, 3, BigInt.asUintN(64, BigInt(frame.service)));
	writeVarintField(out, 4, BigInt.asUintN(64, BigInt(frame.method)));
	for (const header of frame.headers) {
		const inner: number[] = [];
		writeBytesField(inner, 1, utf8(header.key));
		writeBytesField(inner, 2, utf8(header.value));
		writeBytesField(out, 5, Uint8Array.from(inner));
	}
	if (frame.payloadEncoding !== undefined) writeBytesField(out, 6, utf8(frame.payloadEncoding));
	if (frame.payloadType !== undefined) writeBytesField(out, 7, utf8(frame.payloadType));
	if (frame.payload !== undefined) writeBytesField(out, 8, frame.payload);
	if (frame.logIdNew !== undefined) writeBytesField(out, 9, utf8(frame.logIdNew));
	return Uint8Array.from(out);
}

/** Reads one frame; throws FrameError for anything that is not a whole, valid frame. */
export function decodeFrame(bytes: Uint8Array): Frame {
	if (bytes.length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${bytes.length} bytes is larger than ${MAX_FRAME_BYTES}`);
	const reader = new Reader(bytes);
	const seen = new Set<number>();
	const frame: Frame = { seqId: 0n, logId: 0n, service: 0, method: 0, headers: [] };
	while (!reader.done()) {
		const { field, wireType } = reader.tag();
		if (field >= 1 && field <= 4) {
			expectWireType(field, wireType, VARINT);
			const value = reader.varint();
			if (field === 1) frame.seqId = value;
			else if (field === 2) frame.logId = value;
			else if (field === 3) frame.service = int32(value);
			else frame.method = int32(value);
			seen.add(field);
		} else if (field >= 5 && field <= 9) {
			expectWireType(field, wireType, LENGTH_DELIMITED);
			const data = reader.bytes();
			if (field === 5) {
				if (frame.headers.length >= MAX_HEADERS) throw new FrameError(`more than ${MAX_HEADERS} headers`);
				frame.headers.push(decodeHeader(data));
			} else if (field === 6) frame.payloadEncoding = text(data);
			else if (field === 7) frame.payloadType = text(data);
			else if (field === 8) frame.payload = data;
			else frame.logIdNew = text(data);
		} else {
			reader.skip(wireType);
		}
	}
	for (const required of [1, 2, 3, 4]) if (!seen.has(required)) throw new FrameError(`required field ${required} is missing`);
	return frame;
}

function decodeHeader(bytes: Uint8Array): FrameHeader {
	const reader = new Reader(bytes);
	let key: string | undefined;
	let value: string | undefined;
	while (!reader.done()) {
		const { field, wireType } = reader.tag();
		if (field === 1 || field === 2) {
			expectWireType(field, wireType, LENGTH_DELIMITED);
			const data = text(reader.bytes());
			if (field === 1) key = data;
			else value = data;
		} else {
			reader.skip(wireType);
		}
	}
	if (key === undefined || value === undefined) throw new FrameError('a header lacks its key or value');
	return { key, value };
}

class Reader {
	private at = 0;

	constructor(private readonly data: Uint8Array) {}

	done(): boolean {
		return this.at >= this.data.length;
	}

	tag(): { field: number; wireType: number } {
		const tag = this.varint();
		const field = Number(tag >> 3n);
		if (field < 1 || field > 536_870_911) throw new FrameError('invalid field number');
		return { field, wireType: Number(tag & 7n) };
	}

	/** At most 10 bytes, as a 64-bit varint can take. */
	varint(): bigint {
		let value = 0n;
		for (let index = 0; index < 10; index++) {
			if (this.at >= this.data.length) throw new FrameError('the frame ends inside a number');
			const byte = this.data[this.at++];
			value |= BigInt(byte & 0x7f) << BigInt(7 * index);
			if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
		}
		throw new FrameError('a number is longer than 10 bytes');
	}

	bytes(): Uint8Array {
		const length = this.varint();
		if (length > BigInt(this.data.length - this.at)) throw new FrameError('a field is longer than the frame');
		const start = this.at;
		this.at += Number(length);
		return this.data.subarray(start, this.at);
	}

	skip(wireType: number): void {
		if (wireType === VARINT) this.varint();
		else if (wireType === LENGTH_DELIMITED) this.bytes();
		else if (wireType === FIXED64 || wireType === FIXED32) {
			const size = wireType === FIXED64 ? 8 : 4;
			if (this.at + size > this.data.length) throw new FrameError('the frame ends inside a field');
			this.at += size;
		} else throw new FrameError(`unsupported wire type ${wireType}`);
	}
}

function expectWireType(field: number, actual: number, expected: number): void {
	if (actual !== expected) throw new FrameError(`field ${field} has wire type ${actual}, not ${expected}`);
}

/** int32 travels as a 64-bit varint (negative ones sign-extended). */
function int32(value: bigint): number {
	return Number(BigInt.asIntN(32, value));
}

function writeVarint(out: number[], value: bigint): void {
	let rest = BigInt.asUintN(64, value);
	while (rest >= 0x80n) {
		out.push(Number(rest & 0x7fn) | 0x80);
		rest >>= 7n;
	}
	out.push(Number(rest));
}

function writeVarintField(out: number[], field: number, value: bigint): void {
	writeVarint(out, BigInt((field << 3) | VARINT));
	writeVarint(out, value);
}

function writeBytesField(out: number[], field: number, data: Uint8Array): void {
	writeVarint(out, BigInt((field << 3) | LENGTH_DELIMITED));
	writeVarint(out, BigInt(data.length));
	for (const byte of data) out.push(byte);
}

function utf8(value: string): Uint8Array {
	return Buffer.from(value, 'utf8');
}

function text(data: Uint8Array): string {
	return Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8');
}
