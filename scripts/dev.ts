/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-require-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * `npm run dev`: real n8n on http://127.0.0.1:5678 with this package installed (packed, as users get
 * it), the Feishu simulator running, a ready "Feishu account" credential pointing at it and the
 * example workflows imported (the pushed-event one published, with a command printed to push an
 * event to it). State lives in .dev-n8n/ (delete it to start over).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { installN8n, installPackedPackage, N8n, ROOT } from '../test/e2e/n8n';
import type { IWorkflowBase } from 'n8n-workflow';

import { connectedUser } from '../test/harness/fixtures';
import { DEFAULT_APP, DEV_EVENT_SECRETS, FeishuSimulator } from '../test/simulator/FeishuSimulator';
import { EXAMPLE_MINUTES } from './simulator';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SIMULATOR_PORT = Number(process.env.FEISHU_SIMULATOR_PORT ?? 39555);

async function main(): Promise<void> {
	const userFolder = join(ROOT, '.dev-n8n');
	rmSync(join(userFolder, '.n8n', 'nodes'), { recursive: true, force: true });
	const n8n = new N8n(installN8n(), userFolder);
	installPackedPackage(userFolder);

	const feishu = await new FeishuSimulator().start(SIMULATOR_PORT);
	for (const minute of EXAMPLE_MINUTES) feishu.addMinute(minute);

	await n8n.importJson('credentials', [
		{
			id: 'feishuSimulator01',
			name: 'Feishu account',
			type: 'feishuApi',
			data: { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP },
		},
		{
			id: 'feishuUserOAuth01',
			name: 'Feishu user account',
			type: 'feishuOAuth2Api',
			data: connectedUser(feishu, { ...DEV_EVENT_SECRETS }),
		},
	]);
	const pushed = require(join(ROOT, 'examples', 'pushed-minute-transcript.workflow.json')) as IWorkflowBase;
	// n8n here may write only under its files folder
	const save = pushed.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile')!;
	save.parameters = { ...save.parameters, fileName: `=${join(n8n.filesFolder, 'transcripts')}/{{ $json.minuteToken }}-{{ $execution.id }}.txt` };
	mkdirSync(join(n8n.filesFolder, 'transcripts'), { recursive: true });
	await n8n.importJson('workflow', [require(join(ROOT, 'examples', 'get-media.workflow.json')), pushed]);
	await n8n.run(['publish:workflow', `--id=${pushed.id}`]);
	const requestUrl = `http://127.0.0.1:${N8N_PORT}/webhook/${pushed.nodes[0].webhookId}/feishu-minutes`;

	const server = await n8n.start(N8N_PORT, true);
	console.log(`\nn8n: http://127.0.0.1:${N8N_PORT}  (set up an owner account on first visit)`);
	console.log(`Feishu simulator: ${feishu.apiUrl}; minutes: ${EXAMPLE_MINUTES.map((minute) => minute.token).join(', ')}`);
	console.log('Open the workflow "Feishu Minutes: download a recording" and click Execute. Ctrl+C stops both.');
	console.log(`Push a new minute to the published event workflow (it writes the transcript to ${join(n8n.filesFolder, 'transcripts')}):`);
	console.log(
		`  curl -X POST ${feishu.apiUrl}/__simulator/push-event -H 'content-type: application/json' -d '${JSON.stringify({ url: requestUrl, minuteToken: EXAMPLE_MINUTES[0].token })}'`,
	);
	const stop = () => {
		server.process.kill('SIGTERM');
		void feishu.stop();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	await new Promise((done) => server.process.once('exit', done));
	await feishu.stop();
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exitCode = 1;
});
