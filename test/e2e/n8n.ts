/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Drives a real n8n the way a user's install runs it: the packed package installed as a community node,
 * credentials and workflows imported, `n8n execute` run. One n8n version per process (the pinned 2.x on
 * Node 24 unless told otherwise; the e2e suites follow N8N_VERSION, e.g. 1.123.81 on Node 22).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, from the TypeScript sources (jest) or their compiled copy (.dev-build/). */
export const ROOT = (() => {
	let dir = __dirname;
	while (!existsSync(join(dir, 'package.json'))) dir = resolve(dir, '..');
	return dir;
})();
export const PACKAGE_NAME = 'n8n-nodes-feishu-minutes';
const INSTALL_SCRIPT = join(ROOT, 'test', 'e2e', 'install-n8n.sh');

export interface N8nInstall {
	/** n8n's version, read from the installed package. */
	version: string;
	/** The Node binary this n8n runs on (24 for 2.x, 22 for 1.x). */
	node: string;
	n8nBin: string;
}

/** The version the e2e suites run: N8N_VERSION, else the 2.x pinned in install-n8n.sh. */
export function e2eVersion(): string {
	const pinned = /^DEFAULT_N8N_VERSION=(\S+)$/m.exec(readFileSync(INSTALL_SCRIPT, 'utf8'))?.[1];
	return process.env.N8N_VERSION || pinned!;
}

/**
 * Installs (or finds in the cache) one n8n version and its Node, via the same script CI and `npm run dev` use.
 * Without a version: the pinned 2.x, whatever N8N_VERSION says (queue, UI, dev and soak stay on 2.x).
 */
export function installN8n(version?: string): N8nInstall {
	const env = { ...process.env };
	delete env.N8N_VERSION;
	if (version) env.N8N_VERSION = version;
	const [node, n8nBin] = execFileSync('bash', [INSTALL_SCRIPT], {
		encoding: 'utf8',
		env,
		stdio: ['ignore', 'pipe', 'inherit'],
	})
		.trim()
		.split('\n');
	const installed = (JSON.parse(readFileSync(join(n8nBin, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
	if (version && installed !== version) throw new Error(`asked for n8n ${version}, the cache holds ${installed}`);
	return { version: installed, node, n8nBin };
}

/** The packed package: built and packed once per process, then installed as often as needed. */
let tarball: string | undefined;

function packOnce(): string {
	if (tarball && existsSync(tarball)) return tarball;
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
	const packDir = mkdtempSync(join(tmpdir(), 'feishu-minutes-pack-'));
	execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, stdio: 'ignore' });
	tarball = join(packDir, readdirSync(packDir).find((name) => name.endsWith('.tgz'))!);
	process.once('exit', () => rmSync(packDir, { recursive: true, force: true }));
	return tarball;
}

/** `npm pack`, then `npm install <tgz>` into <userFolder>/.n8n/nodes, as n8n's community-node installer does. */
export function installPackedPackage(userFolder: string): void {
	const packed = packOnce();
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }));
	execFileSync('npm', ['install', packed, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: nodesDir, stdio: 'ignore' });
}

export class N8n {
	readonly filesFolder: string;

	/** n8n's major version: 1 has no publish:workflow and applies no CLI change to a running instance. */
	readonly major: number;

	private readonly brokerPort = 20_000 + Math.floor(Math.random() * 20_000);
	/** The `n8n start` last started by this instance, while it runs. */
	private server?: { process: ChildProcess; base: string };

	constructor(
		readonly install: N8nInstall,
		readonly userFolder = mkdtempSync(join(tmpdir(), 'feishu-minutes-n8n-')),
		/** More environment for every command of this instance (queue mode, database…). */
		private readonly extraEnv: NodeJS.ProcessEnv = {},
	) {
		this.filesFolder = join(userFolder, 'files');
		mkdirSync(this.filesFolder, { recursive: true });
		this.major = Number(install.version.split('.')[0]);
	}

	/** Publishes (activates) a workflow: `publish:workflow` on 2.x, `update:workflow --active=true` on 1.x. Before `start`. */
	async publish(workflowId: string): Promise<void> {
		const args = this.major >= 2 ? ['publish:workflow'] : ['update:workflow', '--active=true'];
		const result = await this.run([...args, `--id=${workflowId}`]);
		if (result.status !== 0) throw new Error(`${args.join(' ')} --id=${workflowId} failed:\n${result.stdout}\n${result.stderr}`);
	}

	/**
	 * Unpublishes (deactivates) a workflow. A running 2.x applies `unpublish:workflow` within seconds; a running 1.x
	 * ignores CLI changes, so there it goes through the editor's REST API (`POST /rest/workflows/:id/deactivate`).
	 */
	async unpublish(workflowId: string): Promise<void> {
		const server = this.server?.process.exitCode === null ? this.server : undefined;
		if (this.major < 2 && server) {
			const response = await fetch(`${server.base}/rest/workflows/${workflowId}/deactivate`, {
				method: 'POST',
				headers: { cookie: await this.ownerCookie(server.base), 'content-type': 'application/json' },
				body: '{}',
			});
			if (response.status !== 200) throw new Error(`deactivate ${workflowId}: HTTP ${response.status} ${await response.text()}`);
			return;
		}
		const args = this.major >= 2 ? ['unpublish:workflow'] : ['update:workflow', '--active=false'];
		const result = await this.run([...args, `--id=${workflowId}`]);
		if (result.status !== 0) throw new Error(`${args.join(' ')} --id=${workflowId} failed:\n${result.stdout}\n${result.stderr}`);
	}

	/** The owner's session cookie for a running `n8n start`: sets the owner up on first use, else logs in. */
	async ownerCookie(base: string): Promise<string> {
		const owner = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-password-1234' };
		const post = (path: string, body: unknown) =>
			fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		let response = await post('/rest/owner/setup', owner);
		if (response.status !== 200) response = await post('/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (response.status !== 200) throw new Error(`owner setup and login failed: HTTP ${response.status} ${await response.text()}`);
		return (response.headers.get('set-cookie') ?? '').split(';')[0];
	}

	get env(): NodeJS.ProcessEnv {
		return {
			PATH: `${resolve(this.install.node, '..')}:${process.env.PATH ?? ''}`,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: this.userFolder,
			N8N_LOG_LEVEL: 'warn',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesFolder,
			N8N_SECURE_COOKIE: 'false',
			// its own task-broker port, so a developer's running n8n (`npm run dev`) does not clash
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_ENCRYPTION_KEY: 'e2e-encryption-key-for-tests-only',
			...this.extraEnv,
		};
	}

	cleanUp(): void {
		rmSync(this.userFolder, { recursive: true, force: true });
	}

	/**
	 * Runs an n8n CLI command to completion. Asynchronously: the Feishu simulator lives in this
	 * process and must keep answering while n8n runs.
	 */
	async run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
		// stdout into a file: n8n exits right after printing, and a pipe would lose the end of a long run JSON
		// (1.x's in-memory binary mode prints whole files as base64)
		const stdoutDir = mkdtempSync(join(tmpdir(), 'feishu-minutes-n8n-stdout-'));
		const stdoutFile = join(stdoutDir, 'stdout.txt');
		const stdoutFd = openSync(stdoutFile, 'w');
		const child = spawn(this.install.node, [this.install.n8nBin, ...args], {
			env: { ...this.env, ...env },
			stdio: ['ignore', stdoutFd, 'pipe'],
		});
		closeSync(stdoutFd);
		let stderr = '';
		child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
		const status = await new Promise<number>((done) => child.once('close', (code) => done(code ?? -1)));
		clearTimeout(timer);
		const stdout = readFileSync(stdoutFile, 'utf8');
		rmSync(stdoutDir, { recursive: true, force: true });
		return { status, stdout, stderr };
	}

	async importJson(kind: 'credentials' | 'workflow', data: unknown): Promise<void> {
		const file = join(this.userFolder, `import-${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(data));
		const result = await this.run([`import:${kind}`, `--input=${file}`]);
		if (result.status !== 0) throw new Error(`import:${kind} failed:\n${result.stdout}\n${result.stderr}`);
	}

	/** `n8n execute --id`: its exit status, everything it printed, and the run data when it printed one. */
	async execute(workflowId: string): Promise<{ status: number; output: string; run?: ExecutionRun }> {
		// n8n prints the run through its logger, at level info
		const result = await this.run(['execute', `--id=${workflowId}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info' });
		const output = `${result.stdout}\n${result.stderr}`;
		return { status: result.status, output, run: extractRun(result.stdout) };
	}

	/** Starts `n8n start` on 127.0.0.1; resolves once the editor is up. */
	async start(port: number, echo = false): Promise<{ process: ChildProcess; log: () => string }> {
		const started = await this.serve(['start'], { N8N_PORT: String(port) }, /Editor is now accessible/, echo);
		this.server = { process: started.process, base: `http://127.0.0.1:${port}` };
		return started;
	}

	/** Starts `n8n worker` (queue mode); resolves once it says it is ready. */
	async worker(healthPort: number, concurrency = 5): Promise<{ process: ChildProcess; log: () => string }> {
		return await this.serve(
			['worker', `--concurrency=${concurrency}`],
			{ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			/n8n worker is now ready|Worker ready|ready to process/i,
		);
	}

	/** Starts `n8n webhook` (queue mode's webhook process) on 127.0.0.1; resolves once it listens. */
	async webhookProcess(port: number): Promise<{ process: ChildProcess; log: () => string }> {
		return await this.serve(['webhook'], { N8N_PORT: String(port) }, /Webhook listener waiting for requests/i);
	}

	private async serve(
		args: string[],
		env: NodeJS.ProcessEnv,
		ready: RegExp,
		echo = false,
	): Promise<{ process: ChildProcess; log: () => string }> {
		const child = spawn(this.install.node, [this.install.n8nBin, ...args], {
			env: { ...this.env, N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_LOG_LEVEL: 'info', ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let log = '';
		const collect = (chunk: Buffer) => {
			log += chunk.toString();
			if (echo) process.stdout.write(chunk);
		};
		child.stdout!.on('data', collect);
		child.stderr!.on('data', collect);
		const deadline = Date.now() + 180_000;
		while (!ready.test(log)) {
			if (child.exitCode !== null) throw new Error(`n8n ${args[0]} exited early:\n${log}`);
			if (Date.now() > deadline) throw new Error(`n8n ${args[0]} did not come up:\n${log}`);
			await new Promise((done) => setTimeout(done, 250));
		}
		return { process: child, log: () => log };
	}
}

export interface ExecutionRun {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }>> } }>>;
			error?: { message: string; description?: string };
		};
	};
}

/** The run JSON sits between log lines: from the first line that is "{" to the last that is "}". */
function extractRun(stdout: string): ExecutionRun | undefined {
	const lines = stdout.split('\n');
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	if (start < 0 || end < start) return undefined;
	return JSON.parse(lines.slice(start, end + 1).join('\n')) as ExecutionRun;
}
