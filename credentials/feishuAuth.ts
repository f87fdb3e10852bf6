import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

const DEPLOYMENT_HOSTS: Record<string, string> = {
	feishu: 'https://open.feishu.cn',
	lark: 'https://open.larksuite.com',
};

/** Which Feishu the credential talks to; both credentials start with these two fields. */
export const DEPLOYMENT_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Deployment',
		name: 'deployment',
		type: 'options',
		options: [
			{ name: 'Feishu (open.feishu.cn)', value: 'feishu' },
			{ name: 'Lark (open.larksuite.com)', value: 'lark' },
			{ name: 'Custom Base URL', value: 'custom' },
		],
		default: 'feishu',
		description: 'Feishu for mainland China tenants, Lark for international ones; Custom for a private deployment',
	},
	{
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://open.feishu.example.com',
		description: 'Root of the Open Platform API, without /open-apis',
		displayOptions: { show: { deployment: ['custom'] } },
	},
];

/** The same choice as `feishuBaseUrl`, as an n8n expression for declarative requests (credential test). */
export const FEISHU_BASE_URL_EXPRESSION =
	'$credentials.deployment === "lark" ? "https://open.larksuite.com" : ' +
	'$credentials.deployment === "custom" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "") : ' +
	'"https://open.feishu.cn"';

/** How a refused App ID / Secret is worded, whether a node run or the credential's Test button meets it. */
export const REFUSED = 'Feishu refused the App ID / App Secret:';

export const COPY_AGAIN = 'Copy both again from the developer console (your app → Credentials & Basic Info).';

export const TENANT_ACCESS_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

/** Raised while obtaining a tenant_access_token; the node turns it into a credential error. */
export class FeishuTokenError extends Error {
	name = 'FeishuTokenError';

	constructor(
		message: string,
		readonly details: { feishuCode?: number; httpCode?: number; cause?: string } = {},
	) {
		super(message);
	}
}

export function feishuBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const deployment = String(credentials.deployment ?? 'feishu');
	if (deployment !== 'custom') return DEPLOYMENT_HOSTS[deployment] ?? DEPLOYMENT_HOSTS.feishu;

	const baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '');
	const parsed = parseUrl(baseUrl);
	if (!parsed) {
		throw new FeishuTokenError(
			`The Feishu credential's Base URL "${baseUrl}" is not a URL: enter it like https://open.feishu.example.com`,
		);
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new FeishuTokenError(
			"The Feishu credential's Base URL must start with https:// (or http:// for a local test server)",
		);
	}
	return baseUrl;
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

const TOKEN_ATTEMPTS = 3;
const TOKEN_RETRY_DELAY_MS = 300;

/**
 * Exchanges App ID + App Secret for a tenant_access_token. Server-side failures (5xx, network) are
 * retried a bounded number of times; a rejected App ID or Secret is reported at once.
 */
export async function requestTenantAccessToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const url = `${feishuBaseUrl(credentials)}${TENANT_ACCESS_PATH}`;
	let lastFailure = '';
	let lastCause: string | undefined;
	for (let attempt = 1; attempt <= TOKEN_ATTEMPTS; attempt++) {
		if (attempt > 1) await sleep(TOKEN_RETRY_DELAY_MS * 2 ** (attempt - 2));
		let response: { statusCode: number; body: unknown };
		try {
			response = await helper.helpers.httpRequest({
				method: 'POST',
				url,
				body: { app_id: credentials.appId, app_secret: credentials.appSecret },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
			});
		} catch (error) {
			// Only the error's own code or message: the request it carries holds the App Secret.
			lastFailure = `could not reach ${url}`;
			lastCause = networkErrorSummary(error);
			continue;
		}

		const body = (typeof response.body === 'object' && response.body) as IDataObject | false;
		if (response.statusCode >= 500 || !body) {
			lastFailure = `the token endpoint answered HTTP ${response.statusCode}${body ? '' : ' without a JSON body'}`;
			lastCause = undefined;
			if (response.statusCode >= 500) continue;
			break;
		}
		if (body.code === 0 && typeof body.tenant_access_token === 'string' && body.tenant_access_token !== '') {
			return body.tenant_access_token;
		}
		if (body.code === 0) {
			lastFailure = 'the token endpoint answered code 0 without a tenant_access_token';
			lastCause = undefined;
			continue;
		}
		const code = Number(body.code);
		throw new FeishuTokenError(
			`${REFUSED} ${String(body.msg ?? 'no message')} (code ${code}). ${COPY_AGAIN}`,
			{ feishuCode: code, httpCode: response.statusCode },
		);
	}
	throw new FeishuTokenError(
		`Could not get a tenant access token from Feishu: ${lastFailure}. Check the credential's deployment / Base URL, then try again later.`,
		{ cause: lastCause },
	);
}

export function networkErrorSummary(error: unknown): string {
	const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
	if (typeof code === 'string' && code) return code;
	return typeof message === 'string' ? message.slice(0, 200) : 'network error';
}
