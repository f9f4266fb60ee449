/**
 * Another subgraph replica beside a test stack: same provider simulators and credentials (or
 * others), its own process-level state, its own captured log lines. For the shared-cache tests.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/app/config.js';
import { startApp, type RunningApp } from '../../src/app/start-app.js';
import { createLogger } from '../../src/observability/logger.js';
import { postGraphQL, type GraphQLResponse, type Stack } from './stack.js';

export interface Replica {
  readonly url: string;
  readonly server: RunningApp;
  readonly logs: Array<Record<string, unknown>>;
  graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  stop(): Promise<void>;
}

export async function startReplica(stack: Stack, env: Record<string, string | undefined>): Promise<Replica> {
  // The stack's own environment: the same simulators and credentials, an ephemeral port.
  const merged: Record<string, string | undefined> = { ...stack.env, ...env };
  const config = loadConfig(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)));
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const server = await startApp(config, { logger: createLogger(config, destination) });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    server,
    logs,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    stop: () => server.stop(),
  };
}
