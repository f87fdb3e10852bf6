/**
 * The soak's injected faults, about 2 % of requests: transient ones (5xx, 429 bursts, stalled and cut
 * downloads, a token endpoint outage of a few seconds) that the node must recover from, counted so
 * the report can tell Feishu's own 429s from injected ones.
 */
import type { FeishuSimulator } from '../../test/simulator/FeishuSimulator';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export type FaultKind = '5xx' | '429 burst' | 'stalled download' | 'cut download' | 'token outage';

export class FaultInjector {
	readonly injected: Record<FaultKind, number> = { '5xx': 0, '429 burst': 0, 'stalled download': 0, 'cut download': 0, 'token outage': 0 };

	/** HTTP 429 answers injected (not Feishu's own rate limiting). */
	injected429 = 0;

	constructor(private readonly feishu: FeishuSimulator) {}

	/** Called once per new minute (about 8 requests each): a fault every third minute is about 2 % of requests… and a few more. */
	tick(index: number): void {
		if (index % 3 !== 1) return;
		const kinds: FaultKind[] = ['5xx', '429 burst', 'stalled download', 'cut download', 'token outage'];
		const kind = kinds[Math.floor(index / 3) % kinds.length];
		this.injected[kind]++;
		if (kind === '5xx') {
			this.feishu.injectFault({ pathIncludes: index % 2 ? '/transcript' : '/media', status: 500, body: JSON.stringify({ code: 2091006, msg: 'internal error' }), headers: JSON_HEADERS });
		} else if (kind === '429 burst') {
			for (let i = 0; i < 3; i++) {
				this.feishu.injectFault({ pathIncludes: '/minutes/', status: 429, body: JSON.stringify({ code: 99991400, msg: 'request trigger frequency limit' }), headers: { ...JSON_HEADERS, 'x-ogw-ratelimit-reset': '1' } });
			}
			this.injected429 += 3;
		} else if (kind === 'stalled download') {
			this.feishu.injectDownloadFault({ stallAfterBytes: 4096 });
		} else if (kind === 'cut download') {
			this.feishu.injectDownloadFault({ cutAfterBytes: 4096 });
		} else {
			const outage = { status: 503, body: 'Service Unavailable' };
			this.feishu.injectOutage({ pathIncludes: '/oauth/token', ...outage }, 3000);
			this.feishu.injectOutage({ pathIncludes: '/tenant_access_token', ...outage }, 3000);
		}
	}
}
