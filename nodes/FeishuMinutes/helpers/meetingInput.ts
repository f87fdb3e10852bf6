import { quote } from './minuteInput';

/**
 * Feishu meeting IDs are long numbers (e.g. 6911188411934433028); the 9-digit number people dial and see in a
 * meeting link (https://vc.feishu.cn/j/337736498) is something else, and is reused across meetings.
 */
const MEETING_ID = /^\d{15,20}$/;

const MEETING_NUMBER = /^\d{9}$/;

/** A meeting link: Feishu's or Lark's /j/<meeting number>, on any subdomain. */
export const MEETING_LINK = '^\\s*https?://([\\w-]+\\.)*(feishu\\.cn|larksuite\\.com)/j/\\d{9}([/?#].*)?\\s*$';

export const MEETING_FIELD_HINT =
	'Enter the meeting ID (a long number, e.g. 6911188411934433028, as Search and the Meeting Ended event give it), ' +
	'the 9-digit meeting number, or the meeting link (e.g. https://vc.feishu.cn/j/337736498)';

export type ParsedMeeting = { meetingId: string } | { meetingNumber: string } | { problem: string };

/**
 * Accepts a meeting ID, a meeting number or a meeting link (Feishu, Lark or a private deployment: the
 * link's host is never used). A number or link names whichever meeting last used that number.
 */
export function parseMeeting(input: unknown, field = 'Meeting'): ParsedMeeting {
	if (typeof input === 'number' && Number.isSafeInteger(input)) input = String(input);
	if (input !== undefined && input !== null && typeof input !== 'string') {
		const kind = Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'an object' : `a ${typeof input}`;
		return { problem: `The ${field} field holds ${kind}, not a meeting ID, number or link` };
	}
	const trimmed = (input ?? '').trim();
	// people write meeting numbers in groups: "337 736 498", "337-736-498"
	const text = /^[\d\s-]+$/.test(trimmed) ? trimmed.replace(/[\s-]/g, '') : trimmed;
	if (text === '') return { problem: `The ${field} field is empty` };
	if (MEETING_ID.test(text)) return { meetingId: text };
	if (MEETING_NUMBER.test(text)) return { meetingNumber: text };
	if (/^https?:\/\//i.test(text)) {
		let url: URL;
		try {
			url = new URL(text);
		} catch {
			return { problem: `The ${field} field holds a link that is not a valid URL: ${quote(text)}` };
		}
		const segments = url.pathname.split('/').filter((segment) => segment !== '');
		const number = segments.at(-1) ?? '';
		if (segments.at(-2) === 'j' && MEETING_NUMBER.test(number)) return { meetingNumber: number };
		return { problem: `The link in the ${field} field is not a meeting link ending in /j/<9-digit meeting number>: ${quote(text)}` };
	}
	return { problem: `The ${field} field is neither a meeting ID, a 9-digit meeting number nor a meeting link: ${quote(text)}` };
}
