/**
 * The ledger's settings (DATABASE_URL, LEDGER_PATH, RECONCILE_*) and createLedgerFromConfig: which
 * database a deployment gets, the start line, and the warning for a SQLite file in production.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.js';
import { createLedgerFromConfig } from '../../src/refunds/ledger/create-ledger.js';
import { DEFAULT_LEDGER_PATH } from '../../src/refunds/ledger/ledger-settings.js';
import { usePostgres } from '../helpers/postgres.js';
import { HOUR, captureLogger, refundModel } from './fixtures.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  WOOSHPAY_SECRET_KEY: 'sk_live_0123456789abcdef',
  EFUNDPAY_API_KEY: 'efundpay-live-key',
  ALLOW_WITHOUT_ROUTER_SECRET: 'true',
};

const postgres = usePostgres();

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'refunds-ledger-config-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('Expected loadConfig to refuse the environment, it accepted it');
}

describe('ledger settings', () => {
  it('default to SQLite in memory outside production, following unsettled refunds every 30 s for 72 h', () => {
    expect(loadConfig({}).ledger).toEqual({
      databaseUrl: null,
      sqlitePath: ':memory:',
      reconcile: { enabled: true, intervalMs: 30_000, maxAgeMs: 72 * HOUR },
    });
  });

  it('default to a SQLite file in production', () => {
    expect(loadConfig(PRODUCTION).ledger.sqlitePath).toBe(DEFAULT_LEDGER_PATH);
  });

  it('read DATABASE_URL, LEDGER_PATH and RECONCILE_*', () => {
    const ledger = loadConfig({
      DATABASE_URL: 'postgresql://refunds:secret@db.internal:5432/refunds',
      LEDGER_PATH: '/var/lib/refunds/ledger.sqlite',
      RECONCILE_INTERVAL_S: '10',
      RECONCILE_MAX_AGE_H: '24',
      RECONCILE_ENABLED: 'false',
    }).ledger;
    expect(ledger).toEqual({
      databaseUrl: 'postgresql://refunds:secret@db.internal:5432/refunds',
      sqlitePath: '/var/lib/refunds/ledger.sqlite',
      reconcile: { enabled: false, intervalMs: 10_000, maxAgeMs: 24 * HOUR },
    });
  });

  it('refuse a DATABASE_URL that is not PostgreSQL without echoing it, and bad RECONCILE_* values, all at once', () => {
    const message = problemsOf({
      DATABASE_URL: 'mysql://refunds:hunter2@db.internal/refunds',
      RECONCILE_INTERVAL_S: '0',
      RECONCILE_ENABLED: 'sometimes',
    });
    expect(message).toContain('DATABASE_URL must be postgres://');
    expect(message).toContain('RECONCILE_INTERVAL_S must be a whole number from 1 to 86400, received "0"');
    expect(message).toContain('RECONCILE_ENABLED must be true or false, received "sometimes"');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('mysql://');
  });
});

describe('createLedgerFromConfig', () => {
  const reconcile = { enabled: true, intervalMs: 30_000, maxAgeMs: 72 * HOUR };

  it('opens SQLite in memory without a warning outside production', async () => {
    const captured = captureLogger();
    const ledger = await createLedgerFromConfig(
      { isProduction: false, ledger: { databaseUrl: null, sqlitePath: ':memory:', reconcile } },
      captured.logger,
    );
    await ledger.record([refundModel()], 'read');
    expect(ledger.state()).toEqual({ kind: 'sqlite', status: 'ok' });
    await ledger.close();
    expect(captured.lines().filter((line) => line.level === 40)).toEqual([]);
  });

  it('warns at start that replicas cannot share a SQLite file in production, and creates its folder', async () => {
    const captured = captureLogger();
    const path = join(scratch, 'not-yet', 'ledger.sqlite');
    const ledger = await createLedgerFromConfig(
      { isProduction: true, ledger: { databaseUrl: null, sqlitePath: path, reconcile } },
      captured.logger,
    );
    await ledger.close();
    expect(existsSync(path)).toBe(true);
    const warnings = captured.lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toContain('replicas cannot share it');
  });

  it('opens PostgreSQL with DATABASE_URL, migrated, and never logs the password', async () => {
    const captured = captureLogger();
    const url = new URL(await postgres().createDatabase());
    url.password = 'not-needed-but-secret'; // trust authentication ignores it
    const ledger = await createLedgerFromConfig(
      { isProduction: true, ledger: { databaseUrl: url.toString(), sqlitePath: DEFAULT_LEDGER_PATH, reconcile } },
      captured.logger,
    );
    const [recorded] = await ledger.record([refundModel()], 'read');
    expect(recorded?.outcome).toBe('new');
    expect(ledger.state()).toEqual({ kind: 'postgres', status: 'ok' });
    await ledger.close();
    const logged = JSON.stringify(captured.lines());
    expect(logged).toContain(`127.0.0.1:${postgres().port}`);
    expect(logged).not.toContain('not-needed-but-secret');
    expect(captured.lines().filter((line) => line.level === 40)).toEqual([]);
  });
});
