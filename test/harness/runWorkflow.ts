/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Runs real workflows through n8n-core's WorkflowExecute, with a credentials helper that behaves
 * like n8n's own (defaults applied, generic auth resolved, preAuthentication output persisted).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, LoadOptionsContext, PollContext, WorkflowExecute } from 'n8n-core';
import type { BinaryDataConfig, ErrorReporter } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeParameters,
	type ICredentialType,
	type ICredentials,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { FeishuApi } from '../../credentials/FeishuApi.credentials';
import { FeishuOAuth2Api } from '../../credentials/FeishuOAuth2Api.credentials';
import { FeishuMinutes } from '../../nodes/FeishuMinutes/FeishuMinutes.node';
import { FeishuMinutesTrigger } from '../../nodes/FeishuMinutes/FeishuMinutesTrigger.node';

const PACKAGE = 'n8n-nodes-feishu-minutes';

// Tests run with only n8n-core, so the trigger the example workflows start from is a pass-through.
class PassThrough implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const nodeTypeMap: Record<string, INodeType> = {
	[`${PACKAGE}.feishuMinutes`]: new FeishuMinutes(),
	// what n8n runs when an AI agent calls the node: the same class, under the tool's type name
	[`${PACKAGE}.feishuMinutesTool`]: new FeishuMinutes(),
	[`${PACKAGE}.feishuMinutesTrigger`]: new FeishuMinutesTrigger(),
	'n8n-nodes-base.manualTrigger': new PassThrough(),
};

const credentialTypeMap: Record<string, ICredentialType> = {
	feishuApi: new FeishuApi(),
	feishuOAuth2Api: new FeishuOAuth2Api(),
};

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeMap[type],
	getByNameAndVersion: (type) => nodeTypeMap[type],
	getKnownTypes: () => ({}),
};

/** Stored credentials, as n8n's database holds them: every read is a fresh copy. */
export class CredentialStore {
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	private readonly data = new Map<string, ICredentialDataDecryptedObject>();

	set(type: string, data: ICredentialDataDecryptedObject): void {
		this.data.set(type, { ...data });
	}

	get(type: string): ICredentialDataDecryptedObject {
		return { ...(this.data.get(type) ?? {}) };
	}

	update(type: string, data: ICredentialDataDecryptedObject): void {
		this.updates.push({ type, data: { ...data } });
		this.set(type, data);
	}
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly store: CredentialStore) {
		super();
	}

	getParentTypes(name: string): string[] {
		return credentialType(name).extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = credentialType(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate || authenticate.type !== 'generic') return requestOptions;
		for (const [target, values] of Object.entries(authenticate.properties)) {
			const resolved: Record<string, unknown> = {};
			for (const [key, value] of Object.entries(values as Record<string, string>)) {
				resolved[key] = workflow!.expression.getSimpleParameterValue(
					node!,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					value,
				);
			}
			const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
			options[target] = { ...(options[target] ?? {}), ...resolved };
		}
		return requestOptions;
	}

	// Mirrors n8n's CredentialsHelper: refresh when the expirable field is empty or expired, then persist.
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		this.store.update(typeName, { ...credentials, ...output } as ICredentialDataDecryptedObject);
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialType(typeName);
		return typeof type.preAuthentication === 'function'
			? ((await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject)
			: undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these tests');
	}

	// Like n8n, unset fields get their declared defaults.
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const defaults: ICredentialDataDecryptedObject = {};
		for (const property of credentialType(type).properties) {
			defaults[property.name] = property.default as ICredentialDataDecryptedObject[string];
		}
		return { ...defaults, ...this.store.get(type) };
	}

	async updateCredentials(
		_nodeCredentials: unknown,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.update(type, data);
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: unknown,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.update(type, data);
	}

	getCredentialsProperties(type: string) {
		return credentialType(type).properties;
	}
}

function credentialType(name: string): ICredentialType {
	const type = credentialTypeMap[name];
	if (!type) throw new Error(`Unknown credential type ${name}`);
	return type;
}

let userFolderReady = false;

function prepareN8nUserFolder(): void {
	if (userFolderReady) return;
	// n8n-core writes its instance config there before the first node runs.
	process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'feishu-minutes-n8n-'));
	userFolderReady = true;
}

/** Switches n8n's binary data to filesystem mode (streams go to disk), as a default n8n install does. */
export async function useFilesystemBinaryData(storagePath: string): Promise<BinaryDataService> {
	const config = {
		mode: 'filesystem',
		availableModes: ['filesystem'],
		localStoragePath: storagePath,
		signingSecret: 'test-signing-secret',
		dbMaxFileSize: 512,
	} as unknown as BinaryDataConfig;
	const errorReporter = { error: () => undefined, warn: () => undefined } as unknown as ErrorReporter;
	const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
	const service = new BinaryDataService(config, errorReporter, logger as never);
	await service.init();
	Container.set(BinaryDataService, service);
	return service;
}

export interface WorkflowResult {
	run: IRun;
	/** Output items of a node (first output, first run). */
	output(nodeName: string): INodeExecutionData[];
	/** The error that stopped the workflow, if one did. */
	error?: IRun['data']['resultData']['error'];
}

export interface RunOptions {
	store: CredentialStore;
	/** Items the start node emits. */
	items?: INodeExecutionData[];
	mode?: WorkflowExecuteMode;
}

export async function runWorkflow(
	workflowData: Pick<IWorkflowBase, 'nodes' | 'connections'> & Partial<IWorkflowBase>,
	{ store, items = [{ json: {} }], mode = 'manual' }: RunOptions,
): Promise<WorkflowResult> {
	prepareN8nUserFolder();
	const workflowBase = {
		id: 'test-workflow',
		name: 'test',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: {},
		...workflowData,
	} as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowBase.id,
		nodes: workflowBase.nodes,
		connections: workflowBase.connections,
		nodeTypes,
		active: false,
		settings: workflowBase.settings,
	});

	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', workflowBase);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', resolve));
	const additionalData = buildAdditionalData(store, hooks);

	const startNode = workflow.getStartNode();
	if (!startNode) throw new Error('The workflow has no start node');
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [items] }, source: null }],
		},
	});

	const execution = new WorkflowExecute(additionalData, mode, runExecutionData);
	await execution.processRunExecutionData(workflow);
	const run = await finished;
	return {
		run,
		error: run.data.resultData.error,
		output(nodeName) {
			const taskData = run.data.resultData.runData[nodeName]?.[0];
			if (!taskData) throw new Error(`Node "${nodeName}" did not run`);
			return taskData.data?.main?.[0] ?? [];
		},
	};
}

/**
 * One poll of the Feishu Minutes Trigger, as n8n's scheduler runs it for an active workflow.
 * `staticData` is what n8n would have saved from earlier polls; it is updated in place.
 */
export async function pollTrigger(
	parameters: INodeParameters,
	{ store, staticData, mode = 'trigger' }: { store: CredentialStore; staticData: IDataObject; mode?: WorkflowExecuteMode },
): Promise<INodeExecutionData[]> {
	prepareN8nUserFolder();
	const node: INode = {
		id: 'trigger',
		name: 'Feishu Minutes Trigger',
		type: `${PACKAGE}.feishuMinutesTrigger`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { feishuOAuth2Api: { id: '2', name: 'Feishu user account' }, feishuApi: { id: '1', name: 'Feishu account' } },
	};
	const workflow = new Workflow({ id: 'test-workflow', nodes: [node], connections: {}, nodeTypes, active: true });
	const hooks = new ExecutionLifecycleHooks(mode, 'test-poll', { id: 'test-workflow' } as IWorkflowBase);
	const context = new PollContext(
		workflow,
		node,
		buildAdditionalData(store, hooks),
		mode,
		mode === 'manual' ? 'manual' : 'activate',
		undefined,
		undefined,
		undefined,
		undefined,
		() => staticData,
	);
	const result = await nodeTypeMap[node.type].poll!.call(context);
	return result?.[0] ?? [];
}

/** The editor asking a node's list-search method (a resource locator's "From List"), as n8n's REST handler does. */
export async function listSearch(
	nodeType: string,
	method: string,
	parameters: INodeParameters,
	credentials: INode['credentials'],
	{ store, filter }: { store: CredentialStore; filter?: string },
) {
	prepareN8nUserFolder();
	const node: INode = { id: 'node', name: 'Node', type: nodeType, typeVersion: 2, position: [0, 0], parameters, credentials };
	const workflow = new Workflow({ id: 'test-workflow', nodes: [node], connections: {}, nodeTypes, active: false });
	const hooks = new ExecutionLifecycleHooks('internal', 'test-list', { id: 'test-workflow' } as IWorkflowBase);
	const context = new LoadOptionsContext(workflow, node, buildAdditionalData(store, hooks), 'parameters.minute');
	const listSearchMethod = nodeTypeMap[nodeType].methods?.listSearch?.[method];
	if (!listSearchMethod) throw new Error(`${nodeType} has no list search ${method}`);
	return await listSearchMethod.call(context, filter);
}

function buildAdditionalData(store: CredentialStore, hooks: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper(store),
		executionId: 'test-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used by these tests');
		},
		startRunnerTask: async () => {
			throw new Error('task runners are not used by these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}
