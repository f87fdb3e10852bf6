import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { COPY_AGAIN, DEPLOYMENT_PROPERTIES, FEISHU_BASE_URL_EXPRESSION, REFUSED, TENANT_ACCESS_PATH, requestTenantAccessToken } from './feishuAuth';

export class FeishuApi implements ICredentialType {
	name = 'feishuApi';

	displayName = 'Feishu API';

	icon: Icon = { light: 'file:../icons/feishu.svg', dark: 'file:../icons/feishu.dark.svg' };

	documentationUrl =
		'https://open.feishu.cn/document/server-docs/api-call-guide/calling-process/get-access-token';

	properties: INodeProperties[] = [
		...DEPLOYMENT_PROPERTIES,
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cli_a1b2c3d4e5f6a7b8',
			description: 'From the Feishu developer console: your app → Credentials & Basic Info',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			// Filled by preAuthentication and stored by n8n, so the token is reused across executions.
			displayName: 'Tenant Access Token',
			name: 'tenantAccessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return { tenantAccessToken: await requestTenantAccessToken(this, credentials) };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.tenantAccessToken}}' },
		},
	};

	// n8n runs preAuthentication before this request when no token is stored (a new credential), so a
	// wrong App ID or Secret fails there with Feishu's own reason. An edited credential still holds a
	// token: then this request checks the new App ID and Secret, and the rules read Feishu's answer
	// whatever its HTTP status (without ignoreHttpStatusErrors a 400 would show as "Bad Request").
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{${FEISHU_BASE_URL_EXPRESSION}}}`,
			url: TENANT_ACCESS_PATH,
			method: 'POST',
			body: { app_id: '={{$credentials.appId}}', app_secret: '={{$credentials.appSecret}}' },
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 10003,
					message: `${REFUSED} invalid param (code 10003). ${COPY_AGAIN}`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 10014,
					message: `${REFUSED} app secret invalid (code 10014). ${COPY_AGAIN}`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 99991543,
					message: `${REFUSED} login_user invalid (code 99991543). ${COPY_AGAIN}`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: undefined,
					message: 'No Feishu answer at this address: check the Deployment, or the Base URL (without /open-apis)',
				},
			},
		],
	};
}
