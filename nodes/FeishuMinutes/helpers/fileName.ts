/** The media type assumed when the file server names none (or an unusable one). */
const DEFAULT_MEDIA_TYPE = 'video/mp4';

/** File extensions for the media types Feishu serves, for a name that has none. */
const EXTENSIONS: Record<string, string> = {
	'video/mp4': 'mp4',
	'audio/mp4': 'm4a',
	'audio/x-m4a': 'm4a',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/ogg': 'ogg',
	'video/webm': 'webm',
	'audio/webm': 'webm',
	'video/quicktime': 'mov',
};

/** Extensions that already say "media": a name ending in one keeps it. */
const MEDIA_EXTENSIONS = new Set([...Object.values(EXTENSIONS), 'aac', 'flac', 'opus', 'mkv', 'avi']);

/** The bare `type/subtype` of a Content-Type header, or the default media type. */
export function mediaType(header: unknown): string {
	const value = Array.isArray(header) ? header[0] : header;
	const type = typeof value === 'string' ? value.split(';')[0].trim().toLowerCase() : '';
	return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : DEFAULT_MEDIA_TYPE;
}

/** Whether a type can be a recording: audio, video, or bytes of no stated kind. */
export function isRecordingType(type: string): boolean {
	return /^(audio|video)\//.test(type) || type === 'application/octet-stream' || type === 'binary/octet-stream';
}

/** Longest file name handed on, in UTF-8 bytes (file systems allow 255; room for a suffix). */
const MAX_NAME_BYTES = 200;

/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * A name every file system takes: no characters Windows refuses (`<>:"|?*`), no trailing dots or
 * spaces, no device names, and at most 200 UTF-8 bytes with its extension kept.
 */
export function portableFileName(name: string): string {
	let safe = name.replace(/[<>:"|?*]/g, '_').replace(/[. ]+$/, '');
	if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
	const dot = safe.lastIndexOf('.');
	const extension = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
	let stem = [...safe.slice(0, safe.length - extension.length)];
	while (stem.length > 1 && Buffer.byteLength(stem.join('') + extension) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
	return stem.join('') + extension;
}

/**
 * The name the file is handed on with: the server's name (see fileNameFromDisposition), else the minute
 * token; given the extension its Content-Type implies when it has no media extension of its own
 * (a title like "周会 v1.2" becomes "周会 v1.2.mp4"), so the next node sees what it is.
 */
export function mediaFileName(disposition: unknown, mimeType: string, minuteToken: string): string {
	const name = fileNameFromDisposition(disposition) ?? minuteToken;
	const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
	return portableFileName(MEDIA_EXTENSIONS.has(extension) ? name : `${name}.${EXTENSIONS[mimeType] ?? EXTENSIONS[DEFAULT_MEDIA_TYPE]}`);
}

/**
 * RFC 6266: `filename*` (RFC 5987, any charset, usually UTF-8 — Chinese titles) wins over the
 * plain `filename`. Path separators, control characters and bidirectional or invisible formatting
 * characters (a U+202E can make "gpj.exe" read as "exe.jpg") never reach the file name.
 */
export function fileNameFromDisposition(header: unknown): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string') return undefined;

	const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(value);
	if (extended) {
		const decoded = decodeExtended(extended[1], extended[2].trim());
		if (decoded) return safeFileName(decoded);
	}
	const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;]+))/i.exec(value);
	const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
	return name ? safeFileName(name) : undefined;
}

function decodeExtended(charset: string, encoded: string): string | undefined {
	try {
		if (/^utf-?8$/i.test(charset) || charset === '') return decodeURIComponent(encoded);
		// ISO-8859-1 is the only other charset RFC 5987 requires
		return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	} catch {
		return undefined;
	}
}

function safeFileName(name: string): string | undefined {
	const base = name.split(/[\\/]/).pop() ?? '';
	// eslint-disable-next-line no-control-regex
	const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').trim();
	return cleaned === '' || cleaned === '.' || cleaned === '..' ? undefined : cleaned;
}
