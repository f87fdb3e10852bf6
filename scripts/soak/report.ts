/**
 * The soak's verdict: the figures of one JSON line, and which goals were missed.
 * Goals (a miss fails the run): nothing lost, nothing processed twice, no failed refresh, failures only where
 * a permanent fault was injected, RSS growth under 50 MiB per process after warm-up. Feishu's own 429s are
 * counted, not failed on: n8n processes share no limiter, so a burst in two of them can meet one (waited out).
 */
import type { FeishuSimulator } from '../../test/simulator/FeishuSimulator';
import type { FaultInjector } from './faults';
import { Sink } from './sink';

const RSS_GROWTH_LIMIT_MIB = 50;

export interface SoakFacts {
	runMs: number;
	clockScale: number;
	created: Array<{ token: string; permanent: boolean }>;
	deliveries: number;
	sink: Sink;
	feishu: FeishuSimulator;
	faults: FaultInjector;
	executions: Array<{ id: string; workflowId: string; status: string }>;
	rss: { warm: Record<string, number>; end: Record<string, number> };
	killed?: { heldExecutions: string[] };
	/** The minute tokens each execution the killed worker held was working on. */
	killedWith: Record<string, string[]>;
}

export function report(facts: SoakFacts) {
	const { created, sink, feishu, faults, executions } = facts;
	const permanent = new Set(created.filter((minute) => minute.permanent).map((minute) => minute.token));
	const perMinute = sink.records.filter((record) => record.workflow !== 'batch');

	// a minute that never reached a workflow that should have had it (the polling Trigger drops unreadable ones, by
	// design); one whose execution died with the killed worker is n8n's doing, told under killedWorker
	const held = facts.killed?.heldExecutions ?? [];
	const statusOf = (id: string) => executions.find((execution) => execution.id === id)?.status ?? 'missing';
	const diedWithWorker = new Set(held.filter((id) => statusOf(id) !== 'success').flatMap((id) => facts.killedWith[id] ?? []));
	const missing = (['pushed', 'polled'] as const).flatMap((workflow) =>
		created
			.filter(({ token, permanent: refused }) => !(workflow === 'polled' && refused) && !perMinute.some((record) => record.workflow === workflow && record.minute === token))
			.map(({ token }) => ({ workflow, token })),
	);
	const lost = missing.filter(({ token }) => !diedWithWorker.has(token)).map(({ workflow, token }) => `${workflow}:${token}`);
	// the same minute in two executions of one workflow (n8n re-running one execution keeps its ID)
	const executionsOf = new Map<string, Set<string>>();
	for (const record of perMinute) {
		const key = `${record.workflow}:${record.minute}`;
		executionsOf.set(key, (executionsOf.get(key) ?? new Set()).add(record.execution));
	}
	const duplicates = [...executionsOf].filter(([, ids]) => ids.size > 1).map(([key]) => key);

	const failedRecords = sink.records.filter((record) => Sink.failures(record).length > 0);
	// a permanent fault (Feishu refuses the minute, 2091005) fails only its own item, with a message naming the cause
	const expectedFailure = (record: (typeof failedRecords)[number]) =>
		record.minute !== null && permanent.has(record.minute) && Sink.failures(record).every((error) => /permission denied.*2091005/i.test(error));
	const unexpectedFailures = failedRecords.filter((record) => !expectedFailure(record)).map((record) => ({ ...record, errors: Sink.failures(record) }));
	const refreshFailures = failedRecords.filter((record) => Sink.failures(record).some((error) => /could not be refreshed|reconnect/i.test(error))).length;

	const rssGrowthMiB: Record<string, number> = {};
	for (const [name, end] of Object.entries(facts.rss.end)) {
		if (facts.rss.warm[name] !== undefined) rssGrowthMiB[name] = Math.round((end - facts.rss.warm[name]) * 10) / 10;
	}
	const stats = feishu.stats();
	const killedWorker = {
		held: held.length,
		reRun: held.filter((id) => statusOf(id) === 'success').length,
		failed: held.filter((id) => ['error', 'crashed', 'canceled'].includes(statusOf(id))).length,
		lost: held.filter((id) => !['success', 'error', 'crashed', 'canceled'].includes(statusOf(id))).length,
		statuses: held.map((id) => `${id}:${statusOf(id)}`),
		minutesNotFinished: missing.filter(({ token }) => diedWithWorker.has(token)).map(({ workflow, token }) => `${workflow}:${token}`),
	};

	// copies of an event that started a run of the pushed workflow, stopped by its Redis guard
	const pushedRuns = executions.filter((execution) => execution.workflowId === 'soakPushed000001').length;
	const pushedMinutes = new Set(perMinute.filter((record) => record.workflow === 'pushed').map((record) => record.minute)).size;
	const summary = {
		simulatedDays: Math.round(((facts.runMs * facts.clockScale) / 86_400_000) * 100) / 100,
		minutesCreated: created.length,
		eventsDelivered: facts.deliveries,
		executions: executions.length,
		itemsOk: sink.records.length - failedRecords.length,
		itemsFailed: failedRecords.length,
		itemsFailedUnexpectedly: unexpectedFailures.length,
		lost: lost.length,
		duplicates: duplicates.length,
		copyRunsStoppedByGuard: Math.max(0, pushedRuns - pushedMinutes),
		feishu429: stats.rateLimited,
		feishu429By: feishu.rateLimitedBy,
		injected429: faults.injected429,
		injectedFaults: faults.injected,
		tokenRequests: stats.tokenRequests,
		refreshes: stats.userTokenRefreshes,
		refreshFailures,
		rssGrowthMiB,
		killedWorker,
	};
	const problems: string[] = [];
	if (lost.length > 0) problems.push(`lost ${lost.slice(0, 5).join(', ')}`);
	if (duplicates.length > 0) problems.push(`duplicates ${duplicates.slice(0, 5).join(', ')}`);
	if (refreshFailures > 0) problems.push(`${refreshFailures} refresh failures`);
	if (unexpectedFailures.length > 0) problems.push(`${unexpectedFailures.length} items failed without a permanent fault`);
	for (const [name, growth] of Object.entries(rssGrowthMiB)) if (growth >= RSS_GROWTH_LIMIT_MIB) problems.push(`${name} RSS grew ${growth} MiB`);
	return { summary, problems, details: { lost, duplicates, unexpectedFailures } };
}
