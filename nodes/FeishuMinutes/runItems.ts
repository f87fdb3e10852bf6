import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * Runs one operation per input item and returns the results in input order. With "Continue On
 * Fail" a failing item becomes an error item (message, description, Feishu code) and the rest go on.
 */
export async function runItems(
	context: IExecuteFunctions,
	runItem: (itemIndex: number) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const results: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			results.push(await runItem(itemIndex));
		} catch (error) {
			if (!context.continueOnFail()) {
				// Both constructors hand back an error of their own class unchanged.
				if (error instanceof NodeApiError) throw new NodeApiError(context.getNode(), error as unknown as JsonObject);
				throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			}
			results.push({ json: errorJson(error), pairedItem: { item: itemIndex } });
		}
	}
	return results;
}

function errorJson(error: Error & { description?: string | null; context?: Record<string, unknown> }) {
	const json: Record<string, string | number> = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = Number(error.httpCode);
	if (typeof error.context?.feishuCode === 'number') json.feishuCode = error.context.feishuCode;
	return json;
}
