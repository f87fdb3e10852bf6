import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MINUTE_FIELD_HINT, parseMinute } from '../../transport/minuteToken';

/** Reads the Minute field and rejects bad input before any request is made. */
export function readMinuteToken(context: IExecuteFunctions, itemIndex: number): string {
	const parsed = parseMinute(context.getNodeParameter('minute', itemIndex));
	if ('token' in parsed) return parsed.token;
	throw new NodeOperationError(context.getNode(), parsed.problem, {
		itemIndex,
		description: MINUTE_FIELD_HINT,
	});
}
