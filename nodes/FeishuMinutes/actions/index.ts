import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { meetingOperations } from './meeting';
import { minuteOperations } from './minute';
import type { OperationModule } from './operation';
import { requestOptionsProperty, type RequestOptionName } from './options';

/** Every resource and its operations. A new operation is one module plus one line in its resource's index. */
export const resources = {
	minute: { name: 'Minute', operations: minuteOperations, defaultOperation: 'getMedia' },
	meeting: { name: 'Meeting', operations: meetingOperations, defaultOperation: 'getRecording' },
} as const satisfies Record<string, { name: string; operations: Record<string, OperationModule>; defaultOperation: string }>;

type Resource = keyof typeof resources;

export function operationModule(resource: string, operation: string): OperationModule | undefined {
	const operations: Record<string, OperationModule> | undefined = resources[resource as Resource]?.operations;
	return operations && Object.hasOwn(operations, operation) ? operations[operation] : undefined;
}

function allOperations(): Array<{ resource: string; value: string; module: OperationModule }> {
	return Object.entries(resources).flatMap(([resource, { operations }]) =>
		Object.entries(operations as Record<string, OperationModule>).map(([value, module]) => ({ resource, value, module })),
	);
}

/** Resource, Operation, each operation's fields (shown for it alone) and the Options collection. */
export function resourceProperties(): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: Object.entries(resources).map(([value, { name }]) => ({ name, value })),
			default: 'minute',
		},
	];
	for (const [resource, { operations, defaultOperation }] of Object.entries(resources)) {
		const entries = Object.entries(operations as Record<string, OperationModule>);
		properties.push({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource] } },
			options: entries.map(([value, module]) => ({ ...module.option, value })),
			default: defaultOperation,
		});
		for (const [value, module] of entries) {
			properties.push(...updateDisplayOptions({ show: { resource: [resource], operation: [value] } }, module.fields));
		}
	}
	const usedBy: Partial<Record<RequestOptionName, string[]>> = {};
	for (const { value, module } of allOperations()) {
		for (const option of module.options) (usedBy[option] ??= []).push(value);
	}
	properties.push(requestOptionsProperty(usedBy));
	return properties;
}

/** The canvas subtitle: the operation's name as the user sees it ("Get Media"); saved v1 nodes have no resource set. */
export function subtitleExpression(): string {
	const names = Object.fromEntries(allOperations().map(({ resource, value, module }) => [`${resource}:${value}`, module.option.name]));
	return `={{ ${JSON.stringify(names)}[($parameter["resource"] || "minute") + ":" + $parameter["operation"]] }}`;
}

/** The endpoints the node's operations call (for the scope union). */
export function operationEndpoints(): Array<OperationModule['endpoint']> {
	return allOperations().flatMap(({ module }) => [module.endpoint, ...(module.alsoCalls ?? [])]);
}
