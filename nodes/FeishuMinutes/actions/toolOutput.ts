import type { IDataObject } from 'n8n-workflow';

/**
 * What an AI agent gets back: the facts a model reasons with, in few tokens — no avatars, no highlighting
 * markup, no fields it cannot use. Workflows (not agents) keep Feishu's full answers.
 */

/** A Search result: its token (for the other tools), title, link and creation time. */
export function compactMinute(item: IDataObject, createTime: unknown): IDataObject {
	const meta = (item.meta_data ?? {}) as IDataObject;
	const created = Number(createTime);
	return {
		minuteToken: String(item.token),
		title: String(item.display_info ?? '').replace(/<\/?h>/g, ''),
		link: typeof meta.app_link === 'string' ? meta.app_link : null,
		createdTime: Number.isFinite(created) && created > 0 ? new Date(created).toISOString() : null,
	};
}

/** Feishu's AI notes: the summary, each chapter's title, start and summary, the to-dos' text, the keywords. */
export function compactNotes(minuteToken: string, notes: IDataObject): IDataObject {
	const list = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]) : []);
	return {
		minuteToken,
		summary: typeof notes.summary === 'string' ? notes.summary : '',
		chapters: list(notes.minute_chapters).map((chapter) => ({
			title: chapter.title,
			startSeconds: Math.round(Number(chapter.start_ms) / 1000) || 0,
			summary: chapter.summary_content,
		})),
		todos: list(notes.minute_todos).map((todo) => todo.content),
		...(Array.isArray(notes.keywords) ? { keywords: notes.keywords } : {}),
	};
}

/** One part of a long text, with where the next starts: a model asks for it with Start At Character. */
export function textPart(text: string, startAt: number, maxCharacters: number): IDataObject {
	const characters = [...text];
	const part = characters.slice(startAt, startAt + maxCharacters).join('');
	const next = startAt + maxCharacters < characters.length ? startAt + maxCharacters : null;
	return {
		transcript: part,
		totalCharacters: characters.length,
		startAt,
		nextStartAt: next,
		...(next === null ? {} : { more: `${characters.length - next} more characters: call again with startAt ${next}` }),
	};
}
