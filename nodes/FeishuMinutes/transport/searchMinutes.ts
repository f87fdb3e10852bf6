import type { IDataObject } from 'n8n-workflow';

import type { FeishuClient } from './FeishuClient';

/** Feishu's page size limit for minutes search. */
const MAX_PAGE_SIZE = 30;

interface SearchPage {
	items?: IDataObject[];
	has_more?: boolean;
	page_token?: string;
}

/** Pages through `POST /minutes/search` until `limit` results or the last page. */
export async function searchMinutes(
	client: FeishuClient,
	body: IDataObject,
	limit: number,
	itemIndex: number,
): Promise<IDataObject[]> {
	const found: IDataObject[] = [];
	let pageToken: string | undefined;
	do {
		const page = await client.request<SearchPage>(
			{
				method: 'POST',
				path: '/open-apis/minutes/v1/minutes/search',
				qs: { page_size: Math.min(MAX_PAGE_SIZE, limit - found.length), ...(pageToken ? { page_token: pageToken } : {}) },
				body,
			},
			itemIndex,
		);
		found.push(...(page.items ?? []));
		pageToken = page.has_more ? page.page_token : undefined;
	} while (pageToken && found.length < limit);
	return found.slice(0, limit);
}
