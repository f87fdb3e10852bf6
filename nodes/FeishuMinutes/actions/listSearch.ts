import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { FeishuClient } from '../transport/client';
import { searchMinutes } from '../transport/endpoints';
import { DEFAULT_CLIENT_OPTIONS } from './options';
import type { Authentication } from './router';

/** The Minute list looks this far back, newest first. */
const LIST_WINDOW_MS = 90 * 24 * 3600 * 1000;

const LIST_SIZE = 50;

/**
 * The Minute field's "From List": the newest minutes the credential can see, through Search — the
 * user's with a user credential, the app's with an app credential (custom apps; an app Feishu
 * refuses search to gets the error that says so). The filter box is Search's keyword.
 */
export async function searchMinutesList(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const authentication = this.getNodeParameter('authentication', 'tenantToken') as Authentication;
	const client = await FeishuClient.create(this, authentication === 'userOAuth2' ? 'user' : 'app', DEFAULT_CLIENT_OPTIONS);
	const now = Date.now();
	const keyword = filter?.trim().slice(0, 50);
	const found = await searchMinutes(client, { keyword, from: now - LIST_WINDOW_MS, to: now + 20 * 60 * 1000 }, LIST_SIZE, 0);
	return {
		results: found.map((minute) => {
			const meta = (minute.meta_data ?? {}) as { app_link?: unknown };
			// Feishu marks the matched words with <h></h>
			const title = String(minute.display_info ?? minute.token).replace(/<\/?h>/g, '');
			return { name: title, value: String(minute.token), url: typeof meta.app_link === 'string' ? meta.app_link : undefined };
		}),
	};
}
