/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters, IWorkflowBase } from 'n8n-workflow';

import { FeishuOAuth2Api } from '../../credentials/FeishuOAuth2Api.credentials';
import { DEFAULT_APP, FeishuSimulator, type SimulatorOptions } from '../simulator/FeishuSimulator';
import { CredentialStore, runWorkflow, type WorkflowResult } from './runWorkflow';

export const NODE_NAME = 'Feishu Minutes';

/** A minute token the simulator knows by default. */
export const READY_TOKEN = 'obcnq3b9jl72l83w4f149w9c';

/** Start → Feishu Minutes, as a user would build it in the editor. */
export function minutesWorkflow(
	parameters: INodeParameters,
	settings: { continueOnFail?: boolean; typeVersion?: number } = {},
): Pick<IWorkflowBase, 'nodes' | 'connections'> {
	return {
		nodes: [
			{
				id: 'start',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'minutes',
				name: NODE_NAME,
				type: 'n8n-nodes-feishu-minutes.feishuMinutes',
				typeVersion: settings.typeVersion ?? 1,
				position: [200, 0],
				parameters: { resource: 'minute', operation: 'getMedia', ...parameters },
				credentials: {
					feishuApi: { id: '1', name: 'Feishu account' },
					feishuOAuth2Api: { id: '2', name: 'Feishu user account' },
				},
				...(settings.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
	};
}

/** A running simulator with one ready minute, and a stored credential pointing at it. */
export async function startFeishu(options: SimulatorOptions = {}) {
	const feishu = await new FeishuSimulator(options).start();
	feishu.addMinute({ token: READY_TOKEN, title: '周会 Weekly sync', size: 256 * 1024 });
	const store = new CredentialStore();
	store.set('feishuApi', {
		deployment: 'custom',
		baseUrl: feishu.apiUrl,
		appId: DEFAULT_APP.appId,
		appSecret: DEFAULT_APP.appSecret,
	});
	return { feishu, store };
}

/** What the Feishu OAuth2 API credential asks the user for at Connect. */
export const REQUESTED_SCOPE = String(new FeishuOAuth2Api().properties.find((property) => property.name === 'scope')?.default);

/**
 * A Feishu OAuth2 API credential's data as n8n keeps it after "Connect" (n8n fills the hidden URLs from the
 * deployment): the user went through consent for what the credential requests (or `requestedScope`) and
 * was granted what the app has enabled of it. `extra`: more fields, e.g. the event secrets.
 */
export function connectedUser(feishu: FeishuSimulator, extra: IDataObject = {}, requestedScope = REQUESTED_SCOPE): IDataObject {
	return {
		deployment: 'custom',
		baseUrl: feishu.apiUrl,
		clientId: DEFAULT_APP.appId,
		clientSecret: DEFAULT_APP.appSecret,
		...extra,
		oauthTokenData: { ...feishu.issueUserTokens(requestedScope), token_type: 'Bearer', expires_in: 7200 },
	};
}

/** Stores a connected Feishu OAuth2 credential (see connectedUser) in the harness's credential store. */
export function connectUser(feishu: FeishuSimulator, store: CredentialStore, requestedScope = REQUESTED_SCOPE): void {
	store.set('feishuOAuth2Api', {
		...connectedUser(feishu, {}, requestedScope),
		grantType: 'authorizationCode',
		authUrl: `${feishu.apiUrl}/open-apis/authen/v1/authorize`,
		accessTokenUrl: `${feishu.apiUrl}/open-apis/authen/v2/oauth/token`,
		authQueryParameters: '',
		authentication: 'body',
	} as ICredentialDataDecryptedObject);
}

export function itemsWithMinutes(minutes: string[]): INodeExecutionData[] {
	return minutes.map((minute) => ({ json: { minute } }));
}

export async function runMinutes(
	store: CredentialStore,
	parameters: INodeParameters,
	options: { items?: INodeExecutionData[]; continueOnFail?: boolean; typeVersion?: number } = {},
): Promise<WorkflowResult> {
	return await runWorkflow(minutesWorkflow(parameters, options), { store, items: options.items });
}
