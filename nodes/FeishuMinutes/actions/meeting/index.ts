import * as getRecording from './getRecording.operation';
import * as search from './search.operation';
import type { OperationModule } from '../operation';

/** The Meeting resource's operations, by the value the Operation parameter stores. */
export const meetingOperations = {
	getRecording,
	search,
} satisfies Record<string, OperationModule>;
