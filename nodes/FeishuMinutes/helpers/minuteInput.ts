/** Feishu minute tokens are exactly 24 ASCII letters and digits (e.g. obcnq3b9jl72l83w4f149w9c). */
const MINUTE_TOKEN = /^[A-Za-z0-9]{24}$/;

/** A Feishu or Lark Minutes link, as the editor's By URL mode checks it (private deployments: use By ID). */
export const MINUTES_LINK = '^\\s*https?://([\\w-]+\\.)*(feishu\\.cn|larksuite\\.com)/minutes/[A-Za-z0-9]{24}([/?#].*)?\\s*$';

export const MINUTE_FIELD_HINT =
	'Enter the 24-character minute token (e.g. obcnq3b9jl72l83w4f149w9c) or the Minutes link ' +
	'(e.g. https://sample.feishu.cn/minutes/obcnq3b9jl72l83w4f149w9c)';

export type ParsedMinute = { token: string } | { problem: string };

/**
 * Accepts a bare token or a Minutes link (Feishu, Lark or a private deployment) and returns the
 * token. The link's host is never used: requests always go to the credential's base URL.
 */
export function parseMinute(input: unknown): ParsedMinute {
	if (input !== undefined && input !== null && typeof input !== 'string') {
		const kind = Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'an object' : `a ${typeof input}`;
		return { problem: `The Minute field holds ${kind}, not a Minutes link or token` };
	}
	const text = (input ?? '').trim();
	if (text === '') return { problem: 'The Minute field is empty' };
	if (MINUTE_TOKEN.test(text)) return { token: text };

	if (/^https?:\/\//i.test(text)) {
		let url: URL;
		try {
			url = new URL(text);
		} catch {
			return { problem: `The Minute field holds a link that is not a valid URL: ${quote(text)}` };
		}
		const segments = url.pathname.split('/').filter((segment) => segment !== '');
		const token = segments.at(-1) ?? '';
		if (segments.at(-2) === 'minutes' && MINUTE_TOKEN.test(token)) return { token };
		return {
			problem: `The link in the Minute field is not a Minutes link ending in /minutes/<24-character token>: ${quote(text)}`,
		};
	}
	return {
		problem: `The Minute field is neither a 24-character minute token nor a Minutes link: ${quote(text)}`,
	};
}

/** Echoes user input safely: bounded length, control characters escaped. */
export function quote(text: string): string {
	const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
	return JSON.stringify(shown);
}
