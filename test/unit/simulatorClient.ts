/** A bare HTTP client for the simulator's API, as a Feishu SDK would call it (no n8n in between). */
import { ALL_SCOPES } from '../simulator/contract';
import { DEFAULT_APP, FeishuSimulator, type Rule } from '../simulator/FeishuSimulator';

export interface Answer {
	status: number;
	/** The body as sent. */
	text: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Feishu's data, read by tests that compare it whole
	json: { code: number; msg: string; data: Record<string, any> } & Record<string, unknown>;
	headers: Headers;
}

export async function request(feishu: FeishuSimulator, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
	const response = await fetch(`${feishu.apiUrl}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, text, json: JSON.parse(text) as Answer['json'], headers: response.headers };
}

/** A started simulator, a tenant token of its default app and a user token (every scope) of the default user. */
export async function startWithTokens(relax: Rule[] = []): Promise<{ feishu: FeishuSimulator; app: string; user: string }> {
	const feishu = await new FeishuSimulator({ relax }).start();
	const tenant = await request(feishu, 'POST', '/open-apis/auth/v3/tenant_access_token/internal', '', { app_id: DEFAULT_APP.appId, app_secret: DEFAULT_APP.appSecret });
	return { feishu, app: tenant.json.tenant_access_token as string, user: feishu.issueUserTokens(ALL_SCOPES.join(' ')).access_token };
}

/** HTTP status and Feishu code, to compare with a refusal's. */
export const refusal = (answer: Answer) => [answer.status, answer.json.code];

export const meetingId = (n: number) => `71${String(n).padStart(17, '0')}`;
