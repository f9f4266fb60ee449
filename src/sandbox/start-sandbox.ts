/**
 * The sandbox: with no provider credentials at all, every registered provider's simulator starts on
 * loopback with fresh random credentials, and the subgraph is configured (through loadConfig, like
 * production) to talk to them through its real clients. Production never gets here (config refuses
 * NODE_ENV=production without credentials). The test stack starts the same simulators.
 */
import { loadConfig, type AppConfig, type LoadConfigOptions } from '../app/config.js';
import type { RefundProviderName } from '../domain/refund.js';
import type { SandboxStart } from '../providers/definition.js';
import { PROVIDERS } from '../providers/registry.js';
import type { Env } from '../providers/settings-fields.js';
import type { SimulatorHandle } from '../simulator-kit/fault-injection.js';

export interface RunningSimulators {
  readonly simulators: ReadonlyMap<RefundProviderName, SimulatorHandle>;
  /** What each simulator gives the sandbox's ledger to start with. */
  readonly sandboxStarts: ReadonlyMap<RefundProviderName, SandboxStart>;
  /** The providers' variables that point the subgraph at the simulators, credentials included. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SimulatorsOptions {
  readonly latencyMs?: number;
  /** How long created refunds stay pending (SANDBOX_SETTLE_MS). */
  readonly settleMs?: number;
  /** The configured environment, for providers' non-secret settings (e.g. a merchant account). */
  readonly env?: Env;
}

/** Starts every registered provider's simulator. */
export async function startSimulators(options: SimulatorsOptions = {}): Promise<RunningSimulators> {
  const started = await Promise.all(
    PROVIDERS.map(async (definition) => {
      const simulator = await definition.startSimulator({
        latencyMs: options.latencyMs ?? 0,
        ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
        env: options.env ?? {},
      });
      return [definition.name, simulator] as const;
    }),
  );
  const simulators = new Map(started.map(([name, simulator]) => [name, simulator.handle]));
  const sandboxStarts = new Map(
    started.flatMap(([name, simulator]) => (simulator.sandboxStart ? [[name, simulator.sandboxStart] as const] : [])),
  );
  return {
    simulators,
    sandboxStarts,
    env: Object.assign({}, ...started.map(([, simulator]) => simulator.env)) as Record<string, string>,
    close: async () => {
      await Promise.all([...simulators.values()].map((handle) => handle.close()));
    },
  };
}

export interface Sandbox extends RunningSimulators {
  /** The configuration with every provider pointed at its simulator. */
  readonly config: AppConfig;
}

export async function startSandbox(env: Env, configured: AppConfig, options: LoadConfigOptions = {}): Promise<Sandbox> {
  const running = await startSimulators({
    latencyMs: configured.sandboxLatencyMs,
    settleMs: configured.sandboxSettleMs,
    env,
  });
  // Configured like any deployment, but it stays the sandbox: made-up data, anyone may try it.
  const config = Object.freeze({ ...loadConfig({ ...env, ...running.env }, options), mode: 'sandbox' as const });
  return { ...running, config };
}

/** The sandbox's start message: which simulators serve, and what to set to use the real providers. */
export function sandboxNotice(): string {
  const labels = PROVIDERS.map((definition) => definition.label).join(' and ');
  const hints = PROVIDERS.map((definition) => definition.credentialHint).join(' and ');
  return (
    `SANDBOX MODE: no provider credentials are set, so built-in simulators of ${labels} serve made-up refunds. ` +
    `To use the real providers set ${hints}; see README.md`
  );
}
