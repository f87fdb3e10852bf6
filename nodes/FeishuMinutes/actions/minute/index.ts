import * as get from './get.operation';
import * as getAiNotes from './getAiNotes.operation';
import * as getMedia from './getMedia.operation';
import * as getStatistics from './getStatistics.operation';
import * as getTranscript from './getTranscript.operation';
import * as search from './search.operation';
import type { OperationModule } from '../operation';

/** The Minute resource's operations, by the value the Operation parameter stores. */
export const minuteOperations = {
	get,
	getAiNotes,
	getMedia,
	getStatistics,
	getTranscript,
	search,
} satisfies Record<string, OperationModule>;
