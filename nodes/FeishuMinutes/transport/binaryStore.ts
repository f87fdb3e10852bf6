import type { IExecuteFunctions } from 'n8n-workflow';

import { networkErrorSummary } from '../../../credentials/feishuAuth';
import type { FeishuFailure } from './errors';

const MIB = 1024 * 1024;

/**
 * n8n's in-memory binary mode (`default`) base64-encodes the file into one string, and V8 strings
 * stop at 2^29 characters: about 384 MiB of file.
 */
const MEMORY_MODE_MAX_BYTES = 384 * MIB;

/** The `database` mode's own cap can be raised to 1024 MiB at most (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE). */
const DATABASE_MODE_MAX_BYTES = 1024 * MIB;

const MEMORY_FIX =
	'n8n keeps binary data in memory in its `default` mode. Set N8N_DEFAULT_BINARY_DATA_MODE=filesystem (and, in queue mode, a storage path shared by all processes) so recordings stream to disk.';

const DATABASE_FIX =
	'In `database` mode (queue mode\'s default) n8n holds each file in memory and caps it at N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by default, 1024 at most). Raise it, or use filesystem mode with a storage path all processes share, or S3.';

type Refusal = Omit<FeishuFailure, 'httpCode'> & {
	/** The connection broke mid-file: another attempt may get it whole. */
	brokenOff?: boolean;
};

/**
 * What n8n's binary data mode can hold, asked once per execution and only for large files: n8n
 * tells a node its mode only through what it stores, so an empty probe file is stored once.
 */
export class BinaryStore {
	private mode?: Promise<string>;

	constructor(private readonly context: IExecuteFunctions) {}

	/** Why a file of this declared size cannot be stored, before a byte of it is downloaded. */
	async refusal(bytes: number): Promise<Refusal | undefined> {
		if (!(bytes > MEMORY_MODE_MAX_BYTES)) return undefined;
		const mode = await (this.mode ??= this.probe());
		const size = `${Math.round(bytes / MIB)} MiB`;
		if (mode === 'memory') {
			return { message: `The recording (${size}) is too large for n8n's in-memory binary mode`, description: `Nothing was downloaded. ${MEMORY_FIX}` };
		}
		if (mode === 'database' && bytes > DATABASE_MODE_MAX_BYTES) {
			return { message: `The recording (${size}) is too large for n8n's database binary mode`, description: `Nothing was downloaded. ${DATABASE_FIX}` };
		}
		return undefined;
	}

	private async probe(): Promise<string> {
		const probe = await this.context.helpers.prepareBinaryData(Buffer.alloc(0), 'binary-mode-probe.txt', 'text/plain');
		return probe.id ? String(probe.id.split(':')[0]) : 'memory';
	}
}

/** A failure of n8n's binary store while it read the download, told as what it is. */
export function storeFailure(error: unknown): Refusal {
	const text = `${(error as { name?: unknown })?.name ?? ''} ${(error as { code?: unknown })?.code ?? ''} ${(error as { message?: unknown })?.message ?? ''}`;
	if (/FileTooLarge|exceeds the max size limit/i.test(text)) {
		return { message: 'n8n\'s database binary store refused the recording as too large', description: `Nothing was kept. ${DATABASE_FIX}` };
	}
	if (/ERR_STRING_TOO_LONG|Invalid string length|string longer than|Array buffer allocation failed|ERR_BUFFER_TOO_LARGE/i.test(text)) {
		return { message: 'The recording is too large for n8n\'s in-memory binary mode', description: `Nothing was kept. ${MEMORY_FIX}` };
	}
	if (/ENOSPC|EDQUOT/.test(text)) {
		return {
			message: 'The disk n8n stores binary data on is full',
			description: 'Nothing was kept. Free space where n8n keeps binary data (N8N_BINARY_DATA_STORAGE_PATH, by default ~/.n8n/binaryData) and run the node again.',
		};
	}
	return {
		brokenOff: true,
		message: 'The media download broke off before the file was complete',
		description: `The connection failed mid-file (${networkErrorSummary(error)}); no partial file was kept. Run the node again to retry.`,
	};
}
