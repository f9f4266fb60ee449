/**
 * One Kysely instance over either SQL database the service supports:
 *  - SQLite through Node's built-in `node:sqlite`, in memory (`:memory:`) or in a file (its folder is
 *    created). One process only: replicas cannot share it.
 *  - PostgreSQL (15 or later) through `pg`, shared by every replica.
 *
 * Conventions both sides keep, so the code above this reads and writes them alike:
 *  - Times are written as ISO-8601 UTC strings (`toSqlTime`): SQLite keeps the text, which sorts in
 *    time order; PostgreSQL casts it to the `timestamptz` column. Read them back with `fromSqlTime`.
 *  - Integers come back as JavaScript numbers. PostgreSQL `bigint` (int8) is parsed to a number on
 *    this pool only (amounts stay within Number.MAX_SAFE_INTEGER; a larger value is refused loudly
 *    rather than rounded).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect } from 'kysely';
import type Pg from 'pg';
import { createNodeSqliteDialect } from './node-sqlite-dialect.js';

export type SqlKind = 'sqlite' | 'postgres';

export type SqlDatabaseSettings =
  | {
      readonly kind: 'sqlite';
      /** `:memory:` or a file path. */
      readonly path: string;
    }
  | {
      readonly kind: 'postgres';
      /** `postgres://` or `postgresql://`; may hold a password, so it is never put in a message. */
      readonly url: string;
      /** Pool size (default 5). */
      readonly maxConnections?: number;
      /** How long to wait for a connection, in ms (default 5000). */
      readonly connectTimeoutMs?: number;
      /** Server-side statement timeout, in ms (default 10000; 0 for none). */
      readonly statementTimeoutMs?: number;
    };

export interface SqlDatabase<DB> {
  readonly kind: SqlKind;
  readonly db: Kysely<DB>;
  /** Where the data is, for log lines: the file, `:memory:`, or host:port/database; never credentials. */
  readonly target: string;
  /** Closes the connection (SQLite) or ends the pool (PostgreSQL). Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenSqlDatabaseOptions {
  /**
   * PostgreSQL only: an idle pooled connection failed (server restart, network). The pool drops it
   * and connects again on the next query; without a listener such an error would end the process.
   */
  readonly onPoolError?: (error: Error) => void;
  /** PostgreSQL only: `application_name`, shown in pg_stat_activity. */
  readonly applicationName?: string;
}

export function openSqlDatabase<DB>(
  settings: SqlDatabaseSettings,
  options: OpenSqlDatabaseOptions = {},
): SqlDatabase<DB> {
  return settings.kind === 'sqlite' ? openSqlite<DB>(settings.path) : openPostgres<DB>(settings, options);
}

/** A time as the SQL layer writes it (see the module comment). */
export function toSqlTime(time: Date): string {
  return time.toISOString();
}

/** A time as read back: a Date from PostgreSQL, the ISO text from SQLite. */
export function fromSqlTime(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** `host:port/database` of a PostgreSQL URL, for messages; never the user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return 'postgresql (unparsable URL, not shown)';
  }
}

function openSqlite<DB>(path: string): SqlDatabase<DB> {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const database = new DatabaseSync(path);
  // A file is shared with nobody else, but WAL keeps readers (a backup, sqlite3 on the box) from
  // blocking the service, and the busy timeout covers them when they do.
  database.exec('PRAGMA busy_timeout = 5000');
  if (!inMemory) database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
  const db = new Kysely<DB>({ dialect: createNodeSqliteDialect(database) });
  return { kind: 'sqlite', db, target: path, close: closeOnce(db) };
}

const INT8_OID = 20;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Expected a bigint within Number.MAX_SAFE_INTEGER from PostgreSQL, received ${text}`);
  }
  return value;
}

/** `pg`, loaded the first time a PostgreSQL ledger opens: a SQLite deployment never loads it. */
function loadPg(): typeof Pg {
  return createRequire(import.meta.url)('pg') as typeof Pg;
}

/** pg's own parsers, but int8 (bigint, count(*)) as a safe JavaScript number. */
function poolTypeParser(pg: typeof Pg): typeof Pg.types.getTypeParser {
  return (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : (pg.types.getTypeParser(oid, format ?? 'text') as unknown);
}

function openPostgres<DB>(
  settings: Extract<SqlDatabaseSettings, { kind: 'postgres' }>,
  options: OpenSqlDatabaseOptions,
): SqlDatabase<DB> {
  const statementTimeoutMs = settings.statementTimeoutMs ?? 10_000;
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.maxConnections ?? 5,
    connectionTimeoutMillis: settings.connectTimeoutMs ?? 5000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    application_name: options.applicationName ?? 'refunds-subgraph',
    // Parsers for this pool only: the process-wide pg.types stay as they are for anyone else.
    types: { getTypeParser: poolTypeParser(pg) },
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { kind: 'postgres', db, target: describePostgresUrl(settings.url), close: closeOnce(db) };
}

function closeOnce(db: { destroy(): Promise<void> }): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= db.destroy());
}
