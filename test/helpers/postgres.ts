/**
 * Debian's real PostgreSQL 15 for a test file: initdb in a temp dir, started on a free loopback
 * port with no fsync (tests only). It refuses to run as root, so as root it runs as the `postgres`
 * user, who owns the temp dir. One server per test file (`usePostgres()`), a fresh database per
 * test (`createDatabase()`). Stopped by its data dir (pg_ctl stop), never by name, since other
 * files run their own; a test process that dies without stopping it stops it on exit.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  readonly port: number;
  /** The data directory: the server's identity for pg_ctl. */
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication, no password). */
  url(database?: string): string;
  /** Creates an empty database with a fresh name and answers its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

let databaseCount = 0;

export async function startPostgres(): Promise<PostgresServer> {
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(
      `Expected Debian's PostgreSQL 15 in ${POSTGRES_BIN} for the ledger tests, found none: apt-get install -y postgresql`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const pgCommand = (binary: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, binary), ...args]]
      : [join(POSTGRES_BIN, binary), args];

  const dir = await mkdtemp(join(tmpdir(), 'refunds-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'log');
  await run(...pgCommand('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']));

  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await run(
        ...pgCommand('pg_ctl', [
          '-D',
          dataDir,
          '-l',
          logFile,
          '-w',
          '-o',
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
          'start',
        ]),
      );
      break;
    } catch (error) {
      // Another process may have taken the port between the probe and the start.
      if (attempt >= 3) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`PostgreSQL did not start in ${dataDir}:\n${log}`, { cause: error });
      }
    }
  }

  const stopCommand = pgCommand('pg_ctl', ['-D', dataDir, 'stop', '-m', 'fast']);
  let running = true;
  const stopOnExit = () => {
    if (running) execFileSync(stopCommand[0], stopCommand[1], { stdio: 'ignore' });
  };
  process.once('exit', stopOnExit);

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dataDir,
    url,
    async createDatabase() {
      databaseCount += 1;
      const name = `test_${process.pid}_${databaseCount}`;
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      if (!running) return;
      running = false;
      process.off('exit', stopOnExit);
      await run(...stopCommand);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One server for the calling test file: started before its tests, stopped after them. */
export function usePostgres(): () => PostgresServer {
  let server: PostgresServer | null = null;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === null) throw new Error('Expected the PostgreSQL server to be started by usePostgres() beforeAll');
    return server;
  };
}
