/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * One "n8n worker" for the benchmark's two-process case: runs `executions` workflows of `items` Get
 * Media items at once in this process, against the simulator given, and prints what came out.
 *   node .dev-build/scripts/bench-worker.js <apiUrl> <appId> <appSecret> <executions> <items>
 */
import { minutesWorkflow, NODE_NAME } from '../test/harness/fixtures';
import { CredentialStore, runWorkflow } from '../test/harness/runWorkflow';

async function main(): Promise<void> {
	process.env.N8N_LOG_LEVEL = 'silent';
	const [apiUrl, appId, appSecret, executions, items] = process.argv.slice(2);
	const store = new CredentialStore();
	store.set('feishuApi', { deployment: 'custom', baseUrl: apiUrl, appId, appSecret });
	const workflow = minutesWorkflow({ minute: '={{ $json.minute }}' }, { continueOnFail: true });
	const input = Array.from({ length: Number(items) }, (_, i) => ({ json: { minute: `x${String(i).padStart(23, '0')}` } }));
	const started = Date.now();
	const results = await Promise.all(Array.from({ length: Number(executions) }, async () => await runWorkflow(workflow, { store, items: input })));
	const ok = results.reduce((sum, result) => sum + result.output(NODE_NAME).filter((item) => !item.json.error).length, 0);
	console.log(JSON.stringify({ ok, seconds: (Date.now() - started) / 1000 }));
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
