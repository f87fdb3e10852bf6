/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * n8n in queue mode as `npm run test:queue` sets it up — Redis and PostgreSQL from Debian's packages,
 * main + 2 workers — plus one webhook process (`n8n webhook`), each n8n process with the packed
 * package in its own folder. A worker can be killed (SIGKILL) and restarted; each process's RSS read.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { installN8n, installPackedPackage, N8n, type N8nInstall } from '../../test/e2e/n8n';
import { ensurePackages, freePort, queueModeEnv, type Service, startPostgres, startRedis, waitFor } from '../../test/queue/services';

const DATABASE = { user: 'n8n', password: 'n8n-soak', name: 'n8n' };

export interface Running {
	name: string;
	process: ChildProcess;
	log: () => string;
}

export class QueueStack {
	readonly processes = new Map<string, Running>();

	mainPort = 0;

	webhookPort = 0;

	private readonly services: Service[] = [];

	private install?: N8nInstall;

	private env: NodeJS.ProcessEnv = {};

	private postgresPort = 0;

	private readonly folders = new Map<string, string>();

	constructor(private readonly root: string) {}

	/** `credentials` gets the Redis port, for workflows that use queue mode's Redis themselves. */
	async start(credentials: (redisPort: number) => unknown[], workflows: IWorkflowBase[]): Promise<void> {
		ensurePackages();
		this.install = installN8n();
		const redis = await startRedis(this.root);
		this.services.push(redis);
		const postgres = await startPostgres(join(this.root, 'postgres'), DATABASE);
		this.services.push(postgres);
		this.postgresPort = postgres.port;
		// executions are the soak's evidence: keep them
		this.env = { ...queueModeEnv(redis.port, postgres.port, DATABASE), EXECUTIONS_DATA_PRUNE: 'false' };
		for (const name of ['main', 'worker1', 'worker2', 'webhook']) {
			const folder = join(this.root, name);
			mkdirSync(folder, { recursive: true });
			installPackedPackage(folder);
			this.folders.set(name, folder);
		}
		const main = this.n8n('main');
		await main.importJson('credentials', credentials(redis.port));
		await main.importJson('workflow', workflows);
		for (const workflow of workflows) {
			const published = await main.run(['publish:workflow', `--id=${workflow.id}`]);
			if (published.status !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
		}
		await Promise.all([this.startWorker('worker1'), this.startWorker('worker2')]);
		this.mainPort = await freePort();
		this.processes.set('main', { name: 'main', ...(await main.start(this.mainPort)) });
		this.webhookPort = await freePort();
		this.processes.set('webhook', { name: 'webhook', ...(await this.n8n('webhook').webhookProcess(this.webhookPort)) });
	}

	async startWorker(name: string): Promise<void> {
		this.processes.set(name, { name, ...(await this.n8n(name).worker(await freePort())) });
	}

	/** SIGKILL, as the OOM killer or a lost host would: nothing of the worker's shutdown runs. */
	async killWorker(name: string): Promise<void> {
		const worker = this.processes.get(name)!;
		worker.process.kill('SIGKILL');
		await waitFor(() => worker.process.exitCode !== null || worker.process.signalCode !== null, `${name} to die`);
	}

	/** Resident memory of each n8n process, MiB (task runners, which n8n restarts, not counted). */
	rssMiB(): Record<string, number> {
		const sizes: Record<string, number> = {};
		for (const [name, running] of this.processes) {
			try {
				const status = readFileSync(`/proc/${running.process.pid}/status`, 'utf8');
				sizes[name] = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
			} catch {
				// exited
			}
		}
		return sizes;
	}

	/** Rows of n8n's execution table, as `id|workflowId|status` lines. */
	executions(): Array<{ id: string; workflowId: string; status: string }> {
		const url = `postgresql://${DATABASE.user}:${DATABASE.password}@127.0.0.1:${this.postgresPort}/${DATABASE.name}`;
		const out = execFileSync('psql', [url, '-At', '-c', 'SELECT id, "workflowId", status FROM execution_entity ORDER BY id'], { encoding: 'utf8' });
		return out
			.split('\n')
			.filter(Boolean)
			.map((line) => {
				const [id, workflowId, status] = line.split('|');
				return { id, workflowId, status };
			});
	}

	/** Which of `tokens` each execution's saved data mentions (what it was working on); the data is kept in `folder`. */
	tokensIn(ids: string[], tokens: string[], folder: string): Record<string, string[]> {
		if (ids.length === 0) return {};
		const url = `postgresql://${DATABASE.user}:${DATABASE.password}@127.0.0.1:${this.postgresPort}/${DATABASE.name}`;
		const found: Record<string, string[]> = {};
		for (const id of ids.filter((value) => /^\d+$/.test(value))) {
			const data = execFileSync('psql', [url, '-At', '-c', `SELECT data FROM execution_data WHERE "executionId" = ${id}`], { encoding: 'utf8' });
			found[id] = tokens.filter((token) => data.includes(token));
			writeFileSync(join(folder, `execution-${id}.json`), data);
		}
		return found;
	}

	/** Keeps every process's log in `folder`, for a look after the run. */
	saveLogs(folder: string): void {
		mkdirSync(folder, { recursive: true });
		for (const [name, running] of this.processes) writeFileSync(join(folder, `${name}.log`), running.log());
	}

	async stop(): Promise<void> {
		const running = [...this.processes.values()];
		for (const child of running) child.process.kill('SIGTERM');
		await Promise.all(
			running.map(
				async (child) =>
					await new Promise((done) => {
						if (child.process.exitCode !== null || child.process.signalCode !== null) return done(0);
						const timer = setTimeout(() => child.process.kill('SIGKILL'), 30_000);
						child.process.once('exit', () => done(clearTimeout(timer)));
					}),
			),
		);
		for (const service of this.services.reverse()) service.stop();
	}

	private n8n(name: string): N8n {
		return new N8n(this.install!, this.folders.get(name), this.env);
	}
}
