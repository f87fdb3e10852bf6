/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * The real n8n editor (2.41.1) in headless Chromium, with the packed package installed as a community
 * node: what a user sees in the nodes panel, the credential dialog, the output panel and the node
 * parameters. One n8n and one browser for all cases; one screenshot per case in the folder printed
 * at the start.
 */
import { join } from 'node:path';

import { NodeHelpers, type INodeProperties, type INodeTypeDescription, type IWorkflowBase } from 'n8n-workflow';
import type { Locator, Page } from 'playwright-core';

import { DEFAULT_APP } from '../simulator/FeishuSimulator';
import {
	CREDENTIAL,
	credentialData,
	ensureChromium,
	NODE_TYPE,
	openBrowser,
	screenshotFolder,
	startN8n,
	TRIGGER_TYPE,
	type Browsing,
	type PageProblem,
	type UiEnvironment,
} from './environment';
import { PACKAGE_NAME } from '../e2e/n8n';

const MINUTE = 'obcnq3b9jl72l83w4f149w9c';
const TITLE = '产品周会 Weekly sync';
const FORBIDDEN = 'obcnforbiddenminute00001';
const MANUAL = 'When clicking ‘Execute workflow’';
/** A recent minute, so Search's default window finds it for the Minute field's From List. */
const LISTED = { token: 'obcnlistedinthepicker001', title: 'UI picker minute 会议' };
const WORKFLOW = { getMedia: 'uiGetMedia000001', forbidden: 'uiForbidden00001', trigger: 'uiTrigger0000001' };

let env: UiEnvironment;
let browsing: Browsing;
let page: Page;
let shots: string;

/** Manual Trigger → Feishu Minutes (Get Media, Binary File), version 1 as saved workflows have it. */
function getMediaWorkflow(id: string, minute: string): IWorkflowBase {
	return {
		id,
		name: `UI ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'manual', name: MANUAL, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'minutes',
				name: 'Feishu Minutes',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'minute', operation: 'getMedia', minute, output: 'file', binaryPropertyName: 'data' },
				credentials: { feishuApi: CREDENTIAL },
			},
		],
		connections: { [MANUAL]: { main: [[{ node: 'Feishu Minutes', type: 'main', index: 0 }]] } },
	} as unknown as IWorkflowBase;
}

async function shot(name: string): Promise<void> {
	await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Closes n8n's toasts, so they do not cover what a screenshot is for. */
async function closeToasts(): Promise<void> {
	const toasts = page.locator('.el-notification');
	for (const close of await toasts.locator('.el-notification__closeBtn').all()) {
		await close.click({ timeout: 2000 }).catch(() => undefined);
	}
	await toasts.first().waitFor({ state: 'detached', timeout: 3000 }).catch(() => undefined);
}

async function openWorkflow(id: string): Promise<void> {
	await page.goto(`${env.base}/workflow/${id}`);
	await page.getByTestId('canvas-node').first().waitFor();
}

async function openNode(name: string): Promise<Locator> {
	await page.getByTestId('canvas-node').filter({ hasText: name }).first().dblclick();
	const ndv = page.getByTestId('ndv');
	await ndv.getByTestId('node-parameters').waitFor();
	return ndv;
}

/** Picks an option of an n8n select (a parameter's or the credential type's) by its exact label. */
async function choose(select: Locator, label: string): Promise<void> {
	await select.click();
	const option = page.getByRole('option').filter({ has: page.getByText(label, { exact: true }) }).first();
	await option.click();
	await option.waitFor({ state: 'hidden' });
}

beforeAll(async () => {
	ensureChromium();
	env = await startN8n((feishu) => {
		feishu.addMinute({ token: MINUTE, title: TITLE, size: 300 * 1024 });
		feishu.addMinute({ token: FORBIDDEN, mediaError: 2091005 });
		feishu.addMinute({ ...LISTED, createTime: Date.now() - 3600_000 });
		return {
			credentials: [{ ...CREDENTIAL, type: 'feishuApi', data: credentialData(feishu) }],
			workflows: [
				getMediaWorkflow(WORKFLOW.getMedia, MINUTE),
				getMediaWorkflow(WORKFLOW.forbidden, FORBIDDEN),
				{
					id: WORKFLOW.trigger,
					name: 'UI trigger',
					active: false,
					settings: { executionOrder: 'v1' },
					connections: {},
					nodes: [
						{ id: 'trigger', name: 'Feishu Minutes Trigger', type: TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters: {} },
					],
				} as unknown as IWorkflowBase,
			],
		};
	});
	browsing = await openBrowser(env);
	page = browsing.page;
	shots = screenshotFolder();
	console.log(`n8n ${env.base}, Feishu simulator ${env.feishu.apiUrl}; screenshots in ${shots}`);
}, 900_000);

afterAll(async () => {
	await browsing?.close();
	await env?.stop();
});

test('the nodes panel lists Feishu Minutes, its trigger, its event trigger and its long-connection trigger, with their icons', async () => {
	await page.goto(`${env.base}/workflow/new`);
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('Feishu');

	// n8n shows trigger nodes without " Trigger", and merges "Feishu Minutes Trigger" into the
	// "Feishu Minutes" entry (its actions and its trigger); the event trigger is its own entry.
	const item = (nodeName: string) => page.locator(`[data-keyboard-nav-id^="${PACKAGE_NAME}.${nodeName}-"]`);
	const minutes = item('feishuMinutes');
	const eventTrigger = item('feishuMinutesEventTrigger');
	const connectionTrigger = item('feishuMinutesLongConnectionTrigger');
	await expectVisible(minutes);
	await expectVisible(eventTrigger);
	await expectVisible(connectionTrigger);
	expect((await minutes.getByTestId('node-creator-item-name').innerText()).trim()).toBe('Feishu Minutes');
	expect((await eventTrigger.getByTestId('node-creator-item-name').innerText()).trim()).toBe('Feishu Minutes Event');
	expect((await connectionTrigger.getByTestId('node-creator-item-name').innerText()).trim()).toBe('Feishu Minutes Long Connection');
	for (const entry of [minutes, eventTrigger, connectionTrigger]) {
		const icon = entry.getByTestId('node-creator-action-item').locator('img').first();
		expect(await icon.getAttribute('src')).toContain(`/icons/${PACKAGE_NAME}/`);
		// the SVG loaded and was drawn
		await page.waitForFunction((element) => (element as unknown as { naturalWidth: number }).naturalWidth > 0, await icon.elementHandle());
	}
	await shot('01-nodes-panel');

	// the merged entry: the node's actions and the poll trigger
	await minutes.click();
	const creator = page.getByTestId('node-creator');
	const pollTrigger = item('feishuMinutesTrigger');
	if (!(await pollTrigger.isVisible())) await creator.getByText(/^Triggers \(\d+\)/).click();
	await expectVisible(pollTrigger);
	expect(await pollTrigger.innerText()).toContain('Feishu Minutes');
	// on an empty workflow the triggers come first and the actions are folded
	const action = creator.getByText('Get the audio or video file of a minute');
	if (!(await action.isVisible())) await creator.getByText(/^Actions \(\d+\)/).click();
	await expectVisible(action);
});

/** The credential dialog for a new Feishu API credential, filled in. */
async function newCredential(name: string, appSecret: string): Promise<Locator> {
	await page.goto(`${env.base}/home/credentials/create`);
	await page.getByTestId('new-credential-type-select').click();
	await page.keyboard.type('Feishu API');
	await page.getByTestId('new-credential-type-select-option').filter({ hasText: /^Feishu API$/ }).click();
	await page.getByTestId('new-credential-type-button').click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.getByTestId('credential-name').click();
	await modal.getByTestId('credential-name').locator('input').fill(name);
	await modal.getByTestId('credential-name').locator('input').press('Enter');
	await choose(modal.getByTestId('parameter-input-deployment'), 'Custom Base URL');
	await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(env.feishu.apiUrl);
	await modal.getByTestId('parameter-input-appId').locator('input').fill(DEFAULT_APP.appId);
	await modal.getByTestId('parameter-input-appSecret').locator('input').fill(appSecret);
	return modal;
}

async function closeModal(modal: Locator): Promise<void> {
	await page.keyboard.press('Escape');
	if (!(await modal.isHidden())) await page.locator('.el-dialog__headerbtn').first().click();
	await modal.waitFor({ state: 'hidden' });
}

/**
 * Saves; resolves once n8n shows the expected outcome of its connection test (or after 20 s: the
 * caller's assertions then show what it did show), with its details opened.
 */
async function saveAndReadTest(modal: Locator, expected: 'success' | 'failure'): Promise<string> {
	await modal.getByTestId('credential-save-button').click();
	const outcome = expected === 'success' ? 'Connection tested successfully' : 'Couldn’t connect with these settings';
	await modal.getByText(outcome).filter({ visible: true }).waitFor({ timeout: 20_000 }).catch(() => undefined);
	const more = modal.getByText('More details', { exact: true });
	if (await more.isVisible()) {
		await more.click();
		await modal.getByText(/code \d+/).filter({ visible: true }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
	}
	await closeToasts();
	return await modal.locator('[data-test-id="node-credentials-config-container"]').innerText();
}

test('a new Feishu API credential with a wrong secret shows Feishu\'s reason (10014), not "Bad Request"', async () => {
	const modal = await newCredential('UI wrong secret', 'not-the-secret');
	const text = await saveAndReadTest(modal, 'failure');
	await shot('02a-credential-new-wrong-secret');
	expect(text).toContain('Couldn’t connect with these settings');
	expect(text).toMatch(/code 10014/);
	expect(text).toMatch(/app secret invalid/i);
	expect(text).not.toMatch(/Bad Request/i);
	await closeModal(modal);
});

test('the credential tests successfully with the right secret, and an edited (re-saved) one with a wrong secret shows 10014', async () => {
	const modal = await newCredential('UI simulator account', DEFAULT_APP.appSecret);
	const first = await saveAndReadTest(modal, 'success');
	expect(first).toContain('Connection tested successfully');
	await shot('02b-credential-tested');

	// close, reopen from the list, change the secret, save again
	await closeModal(modal);
	await page.goto(`${env.base}/home/credentials`);
	await page.getByTestId('resources-list-item').filter({ hasText: 'UI simulator account' }).click();
	await modal.getByTestId('parameter-input-appSecret').locator('input').waitFor();
	await modal.getByTestId('parameter-input-appSecret').locator('input').fill('edited-wrong-secret');
	const edited = await saveAndReadTest(modal, 'failure');
	await shot('02c-credential-edited-wrong-secret');
	expect(edited).toContain('Couldn’t connect with these settings');
	expect(edited).toMatch(/code 10014/);
	expect(edited).toMatch(/app secret invalid/i);
	expect(edited).not.toMatch(/Bad Request/i);
	await closeModal(modal);
});

test('Execute workflow: the output panel shows the recording as a binary file (name, video/mp4, size)', async () => {
	await openWorkflow(WORKFLOW.getMedia);
	await page.getByTestId('execute-workflow-button').click();
	await page.getByTestId('canvas-node').filter({ hasText: 'Feishu Minutes' }).getByTestId('canvas-node-status-success').waitFor({ timeout: 60_000 });
	const ndv = await openNode('Feishu Minutes');
	const output = ndv.getByTestId('output-panel');
	const binary = output.getByTestId('ndv-binary-data_0');
	await expectVisible(binary);
	const text = await binary.innerText();
	expect(text).toContain(`${TITLE}.mp4`);
	expect(text).toMatch(/Mime Type:\s*video\/mp4/);
	expect(text).toMatch(/File Size:\s*30\d(\.\d+)? kB/);
	await expectVisible(output.getByTestId('ndv-view-binary-data'));
	await closeToasts();
	await shot('03a-binary-output');
});

test('Execute step on a minute the app may not read: "Permission denied for this minute" and the Share hint', async () => {
	await openWorkflow(WORKFLOW.forbidden);
	const ndv = await openNode('Feishu Minutes');
	await ndv.getByTestId('node-execute-button').click();
	const output = ndv.getByTestId('output-panel');
	const message = output.getByTestId('node-error-message');
	await message.waitFor({ timeout: 60_000 });
	expect(await message.innerText()).toContain('Permission denied for this minute');
	expect(await message.innerText()).toContain('2091005');
	expect(await output.getByTestId('node-error-description').innerText()).toMatch(/choose Share/);
	await closeToasts();
	await shot('03b-error-view');
});

test('the trigger\'s parameters render: Keyword, Start From (A Date adds Start Time), Wait Until Media Is Ready', async () => {
	await openWorkflow(WORKFLOW.trigger);
	const ndv = await openNode('Feishu Minutes Trigger');
	const parameters = ndv.getByTestId('node-parameters');
	for (const label of ['Keyword', 'Start From', 'Wait Until Media Is Ready']) {
		await expectVisible(parameters.getByTestId('parameter-item').filter({ hasText: label }).first());
	}
	await expectVisible(parameters.getByText(/Emits one item per minute/));
	await expect(parameters.getByTestId('parameter-item').filter({ hasText: 'Start Time' }).count()).resolves.toBe(0);
	await choose(parameters.getByTestId('parameter-input-startFrom'), 'A Date');
	await expectVisible(parameters.getByTestId('parameter-item').filter({ hasText: 'Start Time' }).first());
	await closeToasts();
	await shot('04-trigger-parameters');
});

test('every operation of Feishu Minutes renders its parameters (the version a new node gets)', async () => {
	const types = (await (await page.request.get(`${env.base}/types/nodes.json`)).json()) as INodeTypeDescription[];
	const description = types.find((type) => type.name === NODE_TYPE)!;
	const versions = ([] as number[]).concat(description.version);
	const typeVersion = description.defaultVersion ?? Math.max(...versions);
	const created = await page.request.post(`${env.base}/rest/workflows`, {
		data: {
			name: 'UI every operation',
			settings: { executionOrder: 'v1' },
			connections: {},
			nodes: [{ id: 'minutes', name: 'Feishu Minutes', type: NODE_TYPE, typeVersion, position: [0, 0], parameters: {} }],
		},
	});
	expect(created.status()).toBe(200);
	const { data: workflow } = (await created.json()) as { data: { id: string } };

	await openWorkflow(workflow.id);
	const ndv = await openNode('Feishu Minutes');
	const parameters = ndv.getByTestId('node-parameters');
	const resourceNames = Object.fromEntries(
		(description.properties.find((property) => property.name === 'resource')!.options as Array<{ name: string; value: string }>).map((option) => [option.value, option.name]),
	);
	// one Operation list per resource (Minute, Meeting)
	const operationLists = description.properties.filter((property) => property.name === 'operation');
	const seen: Record<string, string[]> = {};
	for (const operation of operationLists) {
		const resource = String(operation.displayOptions?.show?.resource?.[0]);
		await choose(parameters.getByTestId('parameter-input-resource'), resourceNames[resource]);
		for (const option of operation.options as Array<{ name: string; value: string }>) {
			await choose(parameters.getByTestId('parameter-input-operation'), option.name);
			const expected = visibleLabels(description, typeVersion, { resource, operation: option.value });
			for (const label of expected) {
				await expectVisible(parameters.getByTestId('parameter-item').filter({ hasText: label }).first());
			}
			seen[`${resource}:${option.value}`] = expected;
			await closeToasts();
			await shot(`05-operation-${resource}-${option.value}`);
		}
	}
	expect(Object.keys(seen).length).toBe(operationLists.reduce((count, operation) => count + (operation.options ?? []).length, 0));
	expect(Object.keys(seen)).toContain('meeting:getRecording');
});

test('the Minute field (version 2): From List shows the minutes Search finds, picking one runs; By URL and By ID are offered', async () => {
	const created = await page.request.post(`${env.base}/rest/workflows`, {
		data: {
			name: 'UI minute picker',
			settings: { executionOrder: 'v1' },
			connections: { [MANUAL]: { main: [[{ node: 'Feishu Minutes', type: 'main', index: 0 }]] } },
			nodes: [
				{ id: 'manual', name: MANUAL, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'minutes',
					name: 'Feishu Minutes',
					type: NODE_TYPE,
					typeVersion: 2,
					position: [240, 0],
					parameters: { resource: 'minute', operation: 'get', minute: { __rl: true, mode: 'list', value: '' } },
					credentials: { feishuApi: CREDENTIAL },
				},
			],
		},
	});
	expect(created.status()).toBe(200);
	const { data: workflow } = (await created.json()) as { data: { id: string } };
	await openWorkflow(workflow.id);
	const ndv = await openNode('Feishu Minutes');
	const minute = ndv.getByTestId('resource-locator-minute');

	await minute.getByTestId('rlc-input').click();
	const listed = page.getByText(LISTED.title, { exact: true });
	await expectVisible(listed.first());
	await shot('06a-minute-from-list');
	await listed.first().click();
	await ndv.getByTestId('node-execute-button').click();
	const output = ndv.getByTestId('output-panel');
	await expectVisible(output.getByText(LISTED.token).first());
	await closeToasts();
	await shot('06b-minute-picked-and-run');

	await minute.getByTestId('rlc-mode-selector').click();
	// n8n names the standard modes itself: list, url and id (the token) read "From list", "By URL", "By ID"
	for (const mode of [/^From list$/, /^By URL$/, /^By ID$/]) await expectVisible(page.getByRole('option').filter({ hasText: mode }).first());
	await page.keyboard.press('Escape');
});

test('no page error and no console error came from the Feishu nodes', () => {
	// The editor looks the package up on the public package registry (its "Node details" panel): this
	// machine has no route out, so those loads fail. That is n8n's lookup, not our nodes: logged, not counted.
	const offline = (problem: PageProblem) => /^Failed to load resource: .* @ https:\/\/registry\./.test(problem.text);
	if (browsing.problems.length) console.log('page and console errors seen:', browsing.problems);
	const ours = browsing.problems.filter((problem) => /feishu|minutes/i.test(problem.text) && !offline(problem));
	expect(ours).toEqual([]);
});

/** The labels n8n should show for these parameter values, by n8n-workflow's own display rules. */
function visibleLabels(description: INodeTypeDescription, typeVersion: number, values: Record<string, string>): string[] {
	const node = { typeVersion };
	const filled = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? values;
	return description.properties
		.filter((property: INodeProperties) => property.type !== 'hidden' && property.name !== 'authentication')
		.filter((property) => NodeHelpers.displayParameter(filled, property, node, description))
		.map((property) => property.displayName)
		.filter((label, index, all) => all.indexOf(label) === index);
}

async function expectVisible(locator: Locator): Promise<void> {
	await locator.waitFor({ state: 'visible' });
	expect(await locator.isVisible()).toBe(true);
}
