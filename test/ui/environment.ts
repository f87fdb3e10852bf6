/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * What `npm run test:ui` drives: one real n8n (the packed package installed as a community node, as in
 * test/e2e/), the Feishu simulator in this process, an owner account, and Debian's headless Chromium
 * through playwright-core. Nothing here downloads a browser: Chromium comes from Debian's package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';
import type { IWorkflowBase } from 'n8n-workflow';

import { installN8n, installPackedPackage, N8n, PACKAGE_NAME } from '../e2e/n8n';
import { DEFAULT_APP, FeishuSimulator } from '../simulator/FeishuSimulator';

export const CHROMIUM = '/usr/bin/chromium';
export const OWNER = { email: 'owner@example.com', firstName: 'UI', lastName: 'Owner', password: 'Ui-password-1234' };

/** A CJK font, so minute titles such as 产品周会 render as text, not boxes, in the screenshots. */
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** Installs Debian's Chromium (and a CJK font) when missing: CI starts from a clean machine. */
export function ensureChromium(): void {
	const missing = [
		...(existsSync(CHROMIUM) ? [] : ['chromium']),
		...(existsSync(CJK_FONT) ? [] : ['fonts-wqy-microhei']),
	];
	if (!missing.length) return;
	const asRoot = (args: string[]) => {
		const [command, ...rest] = process.getuid?.() === 0 ? args : ['sudo', ...args];
		execFileSync(command, rest, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 900_000 });
	};
	asRoot(['apt-get', 'update']);
	asRoot(['apt-get', 'install', '-y', ...missing]);
	if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium left no ${CHROMIUM}`);
}

export interface UiEnvironment {
	n8n: N8n;
	feishu: FeishuSimulator;
	base: string;
	cookie: { name: string; value: string };
	serverLog: () => string;
	stop: () => Promise<void>;
}

/**
 * n8n with the package, the given credentials and workflows imported, started on a free-ish port, and
 * its owner set up. `prepare` runs once the simulator is up (to add minutes) and returns what to import.
 */
export async function startN8n(
	prepare: (feishu: FeishuSimulator) => { credentials: unknown[]; workflows: IWorkflowBase[] },
): Promise<UiEnvironment> {
	const n8n = new N8n(installN8n());
	installPackedPackage(n8n.userFolder);
	const feishu = await new FeishuSimulator().start();
	const { credentials, workflows } = prepare(feishu);
	if (credentials.length) await n8n.importJson('credentials', credentials);
	if (workflows.length) await n8n.importJson('workflow', workflows);

	const port = 16_000 + Math.floor(Math.random() * 4000);
	const server = await n8n.start(port);
	const base = `http://127.0.0.1:${port}`;
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (setup.status !== 200) throw new Error(`owner setup: HTTP ${setup.status} ${await setup.text()}`);
	const [name, value] = (setup.headers.get('set-cookie') ?? '').split(';')[0].split('=');
	return {
		n8n,
		feishu,
		base,
		cookie: { name, value },
		serverLog: server.log,
		stop: async () => {
			if (server.process.exitCode === null) {
				const exited = new Promise((done) => server.process.once('exit', done));
				server.process.kill('SIGTERM');
				const timer = setTimeout(() => server.process.kill('SIGKILL'), 15_000);
				await exited;
				clearTimeout(timer);
			}
			await feishu.stop();
			n8n.cleanUp();
		},
	};
}

export interface PageProblem {
	kind: 'pageerror' | 'console';
	text: string;
}

export interface Browsing {
	context: BrowserContext;
	page: Page;
	problems: PageProblem[];
	close: () => Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile, logged in as the owner; page errors collected. */
export async function openBrowser(environment: UiEnvironment): Promise<Browsing> {
	// playwright-core starts Chromium with --user-data-dir=<profile> itself (it refuses the flag in args)
	const profile = mkdtempSync(join(tmpdir(), 'feishu-minutes-ui-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		viewport: { width: 1440, height: 900 },
		locale: 'en-US',
		timezoneId: 'UTC',
	});
	selectors.setTestIdAttribute('data-test-id');
	context.setDefaultTimeout(30_000);
	await context.addCookies([{ ...environment.cookie, domain: '127.0.0.1', path: '/' }]);
	const page = context.pages()[0] ?? (await context.newPage());
	const problems: PageProblem[] = [];
	page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: `${error.message}\n${error.stack ?? ''}` }));
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push({ kind: 'console', text: `${message.text()} @ ${message.location().url}` });
	});
	// leaving an edited workflow asks "leave?" (beforeunload): yes
	page.on('dialog', (dialog) => void dialog.accept());
	return {
		context,
		page,
		problems,
		close: async () => {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** Where the suite keeps one screenshot per case (printed by the suite). */
export function screenshotFolder(): string {
	const folder = join(tmpdir(), 'feishu-minutes-ui-shots');
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	return folder;
}

export const NODE_TYPE = `${PACKAGE_NAME}.feishuMinutes`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.feishuMinutesTrigger`;

export const CREDENTIAL = { id: 'feishuUiCred0001', name: 'Feishu account' };

export function credentialData(feishu: FeishuSimulator) {
	return { deployment: 'custom', baseUrl: feishu.apiUrl, ...DEFAULT_APP };
}
