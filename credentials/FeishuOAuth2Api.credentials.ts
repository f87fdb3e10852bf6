import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { USER_SCOPES } from '../nodes/FeishuMinutes/scopes';
import { DEPLOYMENT_PROPERTIES } from './feishuAuth';

// Feishu's user authorization lives on accounts.* hosts; tokens come from the open platform host.
const AUTHORIZE_URL =
	'={{ $self["deployment"] === "lark" ? "https://accounts.larksuite.com" : $self["deployment"] === "custom" ? String($self["baseUrl"]).replace(/\\/+$/, "") : "https://accounts.feishu.cn" }}/open-apis/authen/v1/authorize';
const ACCESS_TOKEN_URL =
	'={{ $self["deployment"] === "lark" ? "https://open.larksuite.com" : $self["deployment"] === "custom" ? String($self["baseUrl"]).replace(/\\/+$/, "") : "https://open.feishu.cn" }}/open-apis/authen/v2/oauth/token';

export class FeishuOAuth2Api implements ICredentialType {
	name = 'feishuOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Feishu OAuth2 API';

	icon: Icon = { light: 'file:../icons/feishu.svg', dark: 'file:../icons/feishu.dark.svg' };

	documentationUrl =
		'https://open.feishu.cn/document/authentication-management/access-token/obtain-oauth-code';

	properties: INodeProperties[] = [
		...DEPLOYMENT_PROPERTIES,
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		// n8n lists the OAuth2 fields first; these say which of the app's values go where
		{
			displayName: 'Client ID (App ID)',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cli_a1b2c3d4e5f6a7b8',
			description:
				'Your app\'s App ID, from the Feishu developer console: your app → Credentials & Basic Info. For Lark or a private deployment, set Deployment (below) before you connect.',
		},
		{
			displayName: 'Client Secret (App Secret)',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your app\'s App Secret, from the same page',
		},
		// for the Feishu Minutes Event Trigger: the app's "Events & Callbacks → Encryption Strategy" values
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- it decrypts and signs events: a secret
		{
			displayName: 'Encrypt Key',
			name: 'encryptKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for the Feishu Minutes Event Trigger: from Events & Callbacks → Encryption Strategy. With it, events are encrypted and signed.',
		},
		{
			displayName: 'Verification Token',
			name: 'verificationToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for the Feishu Minutes Event Trigger: from Events & Callbacks → Encryption Strategy',
		},
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: AUTHORIZE_URL },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: ACCESS_TOKEN_URL },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: USER_SCOPES.join(' ') },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		// Feishu takes client_id / client_secret in the token request's body
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	];
}
