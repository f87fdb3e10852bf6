import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * Items in flight at once. The rate limiter and download slots do the real pacing; this only bounds
 * how many items are waiting for them.
 */
const ITEMS_IN_FLIGHT = 32;

/**
 * Runs one operation per input item, overlapping items, and returns the results in input order.
 * With "Continue On Fail" (or `errorsAsItems`) a failing item becomes an error item (message, description,
 * Feishu code) and the rest go on; without it the first failure (in input order) fails the node.
 */
export async function runItems(
	context: IExecuteFunctions,
	runItem: (itemIndex: number) => Promise<INodeExecutionData | INodeExecutionData[]>,
	errorsAsItems = false,
): Promise<INodeExecutionData[]> {
	const itemCount = context.getInputData().length;
	const continueOnFail = errorsAsItems || context.continueOnFail();
	const results: Array<INodeExecutionData | INodeExecutionData[]> = new Array(itemCount);
	const failures = new Map<number, Error>();
	let next = 0;

	const worker = async () => {
		while (next < itemCount && (continueOnFail || failures.size === 0)) {
			const itemIndex = next++;
			try {
				results[itemIndex] = await runItem(itemIndex);
			} catch (error) {
				if (continueOnFail) results[itemIndex] = { json: errorJson(error), pairedItem: { item: itemIndex } };
				else failures.set(itemIndex, error as Error);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(ITEMS_IN_FLIGHT, itemCount) }, worker));

	if (failures.size > 0) {
		const [itemIndex, error] = [...failures].sort(([a], [b]) => a - b)[0];
		// Both constructors hand back an error of their own class unchanged.
		if (error instanceof NodeApiError) throw new NodeApiError(context.getNode(), error as unknown as JsonObject);
		throw new NodeOperationError(context.getNode(), error, { itemIndex });
	}
	return results.flat();
}

function errorJson(error: Error & { description?: string | null; context?: Record<string, unknown> }) {
	const json: Record<string, string | number> = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = Number(error.httpCode);
	if (typeof error.context?.feishuCode === 'number') json.feishuCode = error.context.feishuCode;
	return json;
}
