/**
 * Memory of open subscriptions: the subgraph as its own process (as `npm start` runs it), 1,000
 * refundUpdated subscriptions opened over real WebSockets from this process, and the subgraph's
 * resident set size before and after. Two shapes: one subscription per connection (how Apollo
 * Router's passthrough mode connects) and 50 per connection (how Hive Gateway multiplexes).
 * Target: 1,000 open subscriptions add less than 20 MB RSS.
 *
 * Run alone with `npx tsx bench/subscriptions-bench.ts` (BENCH_NO_BUILD=1 reuses the last build);
 * `npm run bench` runs it after its own rows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startSimulators } from '../src/sandbox/start-sandbox.js';
import { buildSubgraph, startSubgraphProcess, type SubgraphProcess } from './lib/subgraph-process.js';
import { markdownTable, verdict } from './lib/table.js';

const SUBSCRIPTIONS = 1000;
const TARGET_MB = 20;
/** Connections opened at once while setting up (a bound on the bench's own burst). */
const OPEN_CONCURRENCY = 50;
const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';
const QUERY = `subscription Watch($id: ID!) { refundUpdated(id: $id) { id status providerStatus amount { minorUnits currencyCode } } }`;

interface Shape {
  readonly label: string;
  readonly perConnection: number;
}

const SHAPES: readonly Shape[] = [
  { label: '1,000 connections x 1 subscription', perConnection: 1 },
  { label: '20 connections x 50 subscriptions', perConnection: 50 },
];

/** Opens one connection with `count` subscriptions and resolves when each has its first event. */
function openConnection(url: string, count: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    let pending = count;
    const timer = setTimeout(() => reject(new Error(`Expected ${count} first events within 30 s`)), 30_000);
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; id?: string };
      if (message.type === 'connection_ack') {
        for (let index = 0; index < count; index += 1) {
          socket.send(
            JSON.stringify({
              id: String(index),
              type: 'subscribe',
              payload: { query: QUERY, variables: { id: SETTLED } },
            }),
          );
        }
      } else if (message.type === 'next') {
        pending -= 1;
        if (pending === 0) {
          clearTimeout(timer);
          resolve(socket);
        }
      } else if (message.type === 'error') {
        reject(new Error(`Expected a subscription, received ${data.toString('utf8')}`));
      }
    });
  });
}

async function openAll(url: string, shape: Shape): Promise<WebSocket[]> {
  const connections = SUBSCRIPTIONS / shape.perConnection;
  const sockets: WebSocket[] = [];
  for (let start = 0; start < connections; start += OPEN_CONCURRENCY) {
    const batch = Math.min(OPEN_CONCURRENCY, connections - start);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => openConnection(url, shape.perConnection)))));
  }
  return sockets;
}

async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
}

/** The subgraph's RSS once it has settled (a few samples a short while apart; the last one). */
async function settledRss(subgraph: SubgraphProcess): Promise<number> {
  let rss = Number.NaN;
  for (let sample = 0; sample < 5; sample += 1) {
    await sleep(200);
    rss = subgraph.memory()?.rss ?? Number.NaN;
  }
  return rss;
}

export async function runSubscriptionsBench(): Promise<string> {
  const simulators = await startSimulators();
  const rows: string[][] = [];
  try {
    for (const shape of SHAPES) {
      const subgraph = await startSubgraphProcess({
        label: `subscriptions (${shape.label})`,
        env: {
          ...simulators.env,
          NODE_ENV: 'production',
          ALLOW_WITHOUT_ROUTER_SECRET: 'true', // loopback only
          LOG_LEVEL: 'warn',
          MAX_SUBSCRIPTIONS_PER_CONNECTION: String(Math.max(50, shape.perConnection)),
        },
      });
      try {
        const url = `${subgraph.url.replace(/^http/, 'ws')}/graphql`;
        // Warm-up: every code path of a subscription has run once before the baseline.
        await closeAll(await Promise.all(Array.from({ length: 20 }, () => openConnection(url, 1))));
        const before = await settledRss(subgraph);
        const sockets = await openAll(url, shape);
        const after = await settledRss(subgraph);
        await closeAll(sockets);
        const added = after - before;
        rows.push([
          shape.label,
          `${before.toFixed(1)} MB`,
          `${after.toFixed(1)} MB`,
          `${added.toFixed(1)} MB`,
          `< ${TARGET_MB} MB`,
          verdict(added < TARGET_MB),
        ]);
      } finally {
        await subgraph.stop();
      }
    }
  } finally {
    await simulators.close();
  }
  return `### Open subscriptions (subgraph RSS, ${SUBSCRIPTIONS.toLocaleString('en')} refundUpdated)\n\n${markdownTable(
    ['shape', 'RSS before', 'RSS with them open', 'added', 'target', 'verdict'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'left'],
  )}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.BENCH_NO_BUILD !== '1') await buildSubgraph();
  process.stdout.write(await runSubscriptionsBench());
}
