/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
/**
 * Redis and PostgreSQL for n8n's queue mode, from Debian's packages: installed when missing, each
 * started on a free loopback port in a temp folder, and stopped (and the folder removed) at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface Service {
	port: number;
	stop(): void;
}

function onPath(command: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const version = readdirSync(root).sort((a, b) => Number(b) - Number(a)).find((entry) => existsSync(join(root, entry, 'bin', 'initdb')));
	return version ? join(root, version, 'bin') : undefined;
}

/** `apt-get install -y redis-server postgresql` when either is missing (root, as here and in CI). */
export function ensurePackages(): void {
	if (onPath('redis-server') && postgresBin()) return;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
	execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server', 'postgresql'], { stdio: 'inherit', env });
}

export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

export async function startRedis(folder: string): Promise<Service> {
	const port = await freePort();
	const dir = join(folder, 'redis');
	mkdirSync(dir, { recursive: true });
	execFileSync('redis-server', [
		'--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'yes',
		'--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log'), '--save', '', '--appendonly', 'no',
	]);
	await waitFor(() => spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() === 'PONG', 'redis');
	return { port, stop: () => void spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']) };
}

/** initdb / pg_ctl refuse to run as root: they run as the postgres user, on folders it owns. */
export async function startPostgres(folder: string, database: { user: string; password: string; name: string }): Promise<Service> {
	const bin = postgresBin()!;
	const port = await freePort();
	const data = join(folder, 'pg');
	const socket = join(folder, 'pgsock');
	for (const dir of [data, socket]) mkdirSync(dir, { recursive: true });
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
	for (const dir of [folder, data, socket]) chownSync(dir, uid, gid);
	// a temp folder is private to root: let postgres pass through the one above
	chmodSync(dirname(folder), 0o711);
	const asPostgres = (command: string, args: string[]) =>
		execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
	asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
	asPostgres('pg_ctl', ['-D', data, '-l', join(data, 'server.log'), '-o', `-p ${port} -k ${socket} -h 127.0.0.1`, '-w', 'start']);
	asPostgres('psql', [
		'-q', '-h', socket, '-p', String(port), '-U', 'postgres',
		'-c', `CREATE USER ${database.user} WITH PASSWORD '${database.password}';`,
		'-c', `CREATE DATABASE ${database.name} OWNER ${database.user};`,
	]);
	return { port, stop: () => void spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']) };
}

/** The environment every n8n process of a queue-mode set-up shares (main, workers, webhook processes, CLI commands). */
export function queueModeEnv(redisPort: number, postgresPort: number, database: { user: string; password: string; name: string }): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgresPort),
		DB_POSTGRESDB_DATABASE: database.name,
		DB_POSTGRESDB_USER: database.user,
		DB_POSTGRESDB_PASSWORD: database.password,
		N8N_DISABLED_MODULES: 'mcp-registry',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await ready())) {
		if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
		await new Promise((done) => setTimeout(done, 250));
	}
}
