/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The main job, end to end, with no Feishu account: the example workflow runs through n8n's own
 * engine against the embedded Feishu simulator, and the downloaded recording is saved to disk.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { IWorkflowBase } from 'n8n-workflow';

import { CredentialStore, runWorkflow, useFilesystemBinaryData } from '../test/harness/runWorkflow';
import { DEFAULT_APP, FeishuSimulator } from '../test/simulator/FeishuSimulator';

const ROOT = resolve(__dirname, '..', '..');
const OUTPUT_DIR = join(ROOT, 'demo-output');

async function main(): Promise<void> {
	process.env.N8N_LOG_LEVEL ??= 'warn';
	const workflow = JSON.parse(
		readFileSync(join(ROOT, 'examples', 'get-media.workflow.json'), 'utf8'),
	) as IWorkflowBase;

	const feishu = await new FeishuSimulator().start();
	feishu.addMinute({ token: 'obcnq3b9jl72l83w4f149w9c', title: '产品周会 Weekly product sync', size: 5 * 1024 * 1024 });
	const store = new CredentialStore();
	store.set('feishuApi', { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP });
	const binaryData = await useFilesystemBinaryData(mkdtempSync(join(tmpdir(), 'feishu-minutes-demo-')));

	try {
		console.log(`Feishu simulator on ${feishu.apiUrl} (files on ${feishu.fileUrl})`);
		console.log(`Running "${workflow.name}" through n8n's WorkflowExecute…\n`);
		const result = await runWorkflow(workflow, { store });
		if (result.error) throw new Error(`The workflow failed: ${result.error.message}`);

		const [item] = result.output('Feishu Minutes');
		console.log('Output item (json):');
		console.log(JSON.stringify(item.json, null, 2));

		const binary = item.binary!.data;
		mkdirSync(OUTPUT_DIR, { recursive: true });
		const savedTo = join(OUTPUT_DIR, binary.fileName ?? 'recording.mp4');
		await pipeline(await binaryData.getAsStream(binary.id!), createWriteStream(savedTo));
		console.log(`\nSaved the recording (${binary.fileSize}, ${binary.mimeType}) to ${savedTo}`);
		console.log(
			`Requests Feishu saw: ${feishu.tokenRequests} token, ${feishu.requestsTo('/media').length} media URL, ` +
				`${feishu.requests.filter((request) => request.server === 'file').length} download (no Authorization header sent there).`,
		);
	} finally {
		await feishu.stop();
	}
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exitCode = 1;
});
