/**
 * Process entry only: load config, start the sandbox when there are no credentials, start the
 * server, and stop cleanly on SIGTERM/SIGINT (stop accepting, finish in-flight requests within
 * SHUTDOWN_TIMEOUT_MS, close provider connections, exit 0).
 */
import { ConfigError, loadConfig, type AppConfig } from './app/config.js';
import { seedSandboxLedger } from './sandbox/seed-ledger.js';
import { sandboxNotice, startSandbox, type Sandbox } from './sandbox/start-sandbox.js';
import { refundCreationNotices } from './refunds/create/start-notices.js';
import type { Logger } from 'pino';
import { startApp, type RunningApp } from './app/start-app.js';
import { createLogger } from './observability/logger.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { stdoutIsTTY: process.stdout.isTTY });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the Configuration table in README.md.\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config);
  let sandbox: Sandbox | null = null;
  if (config.mode === 'sandbox') {
    sandbox = await startSandbox(process.env, config, { stdoutIsTTY: process.stdout.isTTY });
    config = sandbox.config;
    logger.warn({ mode: 'sandbox' }, sandboxNotice());
  }
  const server = await startApp(config, { logger });
  if (sandbox) await connectSandbox(server, sandbox, logger);
  logReady(server, config, logger);
  stopOnSignals(server, sandbox, config, logger);
}

/** The sandbox's simulators deliver their webhooks to this subgraph, as the real providers would, and its ledger starts with something in it. */
async function connectSandbox(server: RunningApp, sandbox: Sandbox, logger: Logger): Promise<void> {
  for (const [provider, handle] of sandbox.simulators) {
    handle.webhooks?.setTarget(`${server.url}/webhooks/${provider.toLowerCase()}`);
  }
  const seeded = await seedSandboxLedger(server, sandbox.sandboxStarts, logger);
  logger.info(
    { event: 'sandbox.seeded', ...seeded },
    `Sandbox ledger: ${seeded.read} seeded refunds read, ${seeded.created} demo refunds created (search and payments have something to show)`,
  );
}

/** The start line (where, which providers, who may send GraphQL, which webhooks) and refund creation's notices. */
function logReady(server: RunningApp, config: AppConfig, logger: Logger): void {
  const providers = Object.fromEntries(
    [...server.clients].map(([name, client]) => [name, client ? 'configured' : 'not configured']),
  );
  // Who may send GraphQL: only the router (ROUTER_SECRET), or anyone who reaches the port.
  const graphqlAccess = config.routerSecret
    ? 'the router only (ROUTER_SECRET is set)'
    : `anyone who reaches the port (no ROUTER_SECRET${config.allowWithoutRouterSecret ? '; ALLOW_WITHOUT_ROUTER_SECRET=true' : ''})`;
  logger.info(
    {
      url: `${server.url}/graphql`,
      mode: config.mode,
      providers,
      graphiql: config.graphiql,
      node: process.version,
      graphqlAccess,
      webhooks: server.webhooksSummary,
    },
    `Refunds subgraph ready at ${server.url}/graphql on Node ${process.version}${config.graphiql ? ` (GraphiQL: open ${server.url}/graphql in a browser)` : ''}; GraphQL answers ${graphqlAccess}`,
  );
  for (const notice of refundCreationNotices(server.authorizer, {
    isProduction: config.isProduction,
    redisUrl: config.redis.url,
  })) {
    logger[notice.level](notice.fields, notice.message);
  }
}

/** SIGTERM/SIGINT: stop accepting, finish in-flight requests, close everything, exit 0 (1 when it takes too long). */
function stopOnSignals(server: RunningApp, sandbox: Sandbox | null, config: AppConfig, logger: Logger): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    force.unref();
    server
      .stop()
      .then(() => sandbox?.close())
      .then(() => {
        logger.info('Stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The refunds subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
