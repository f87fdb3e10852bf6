/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Runs the Feishu simulator as its own process, for the benchmark and for real n8n (`npm run dev`,
 * the e2e suite). Prints one JSON line with its URLs and app credentials, then serves until killed.
 *   node .dev-build/scripts/simulator.js [--port 0] [--latency-ms 0 | 20-200] [--rate-limit 5] (0: no limit) [--minutes '[{"token":…}]']
 */
import { DEFAULT_APP, FeishuSimulator, type SimulatedMinute } from '../test/simulator/FeishuSimulator';

export const EXAMPLE_MINUTES: SimulatedMinute[] = [
	{ token: 'obcnq3b9jl72l83w4f149w9c', title: '产品周会 Weekly product sync', size: 5 * 1024 * 1024 },
	{ token: 'obcnforbiddenminute00001', mediaError: 2091005 },
	{ token: 'obcnstilltranscribing001', mediaError: 2091003 },
];

function latency(value: string): number | [number, number] {
	const [min, max] = value.split('-').map(Number);
	return max === undefined ? min : [min, max];
}

function option(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
	const feishu = new FeishuSimulator({
		// `--latency-ms 20-200`: drawn per request from the range
		latencyMs: latency(option('latency-ms') ?? '0'),
		rateLimitPerSecond: Number(option('rate-limit') ?? 5),
	});
	await feishu.start(Number(option('port') ?? 0));
	const minutes = option('minutes');
	for (const minute of minutes ? (JSON.parse(minutes) as SimulatedMinute[]) : EXAMPLE_MINUTES) feishu.addMinute(minute);
	console.log(JSON.stringify({ apiUrl: feishu.apiUrl, fileUrl: feishu.fileUrl, ...DEFAULT_APP }));
	const stop = () => void feishu.stop().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

if (require.main === module) void main();
