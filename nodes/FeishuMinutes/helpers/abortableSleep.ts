import * as workflow from 'n8n-workflow';

type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * A pause that ends (and clears its timer) when `signal` aborts, so a closed trigger leaves no timer behind.
 * n8n-workflow 2.x's `sleep` takes the signal; 1.x's ignores it and offers `sleepWithAbort` instead, which
 * rejects on abort. Either way this resolves: the caller checks the signal.
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return;
	const withAbort = (workflow as unknown as { sleepWithAbort?: Sleep }).sleepWithAbort;
	const pause: Sleep = withAbort ?? (workflow.sleep as Sleep);
	await pause(ms, signal).catch(() => undefined);
}
