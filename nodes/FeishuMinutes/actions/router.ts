import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Semaphore } from '../helpers/Semaphore';
import { BinaryStore } from '../transport/binaryStore';
import { FeishuClient } from '../transport/client';
import { operationModule } from './index';
import { clientOptions, readOptions } from './options';
import { runItems } from './runItems';

/** The node's Authentication parameter: the app's tenant token, or a user's token through OAuth2. */
export type Authentication = 'tenantToken' | 'userOAuth2';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = operationModule(resource, operation);
	if (!module) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}

	// Pacing and download slots are shared by all items, so they are read once, from the first item.
	const options = readOptions(this, 0);
	const authentication = this.getNodeParameter('authentication', 0, 'tenantToken') as Authentication;
	const client = await FeishuClient.create(this, authentication === 'userOAuth2' ? 'user' : 'app', clientOptions(options));
	// n8n runs the node as "<type>Tool" when an AI agent calls it
	const asTool = this.getNode().type.endsWith('Tool');
	const run = { client, downloads: new Semaphore(options.parallelDownloads), store: new BinaryStore(this), asTool };
	// a model reads a failed call's error item and can act on it; a thrown error would only say that the tool failed
	return [await runItems(this, async (itemIndex) => await module.execute.call(this, run, itemIndex), asTool)];
}
