/**
 * The sandbox: with no provider credentials at all, both provider simulators start on loopback
 * with fresh random credentials, and the subgraph is configured to talk to them through its real
 * clients. Production never gets here (config refuses NODE_ENV=production without credentials).
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config.js';
import { startEfundpaySimulator } from '../providers/efundpay/simulator.js';
import { startWooshPaySimulator } from '../providers/wooshpay/simulator.js';
import type { SimulatorHandle } from '../simulator-kit/fault-injection.js';

export interface Sandbox {
  /** The configuration with both providers pointed at the simulators. */
  readonly config: AppConfig;
  readonly wooshpay: SimulatorHandle;
  readonly efundpay: SimulatorHandle;
  close(): Promise<void>;
}

export async function startSandbox(config: AppConfig): Promise<Sandbox> {
  const secretKey = `sk_test_sandbox${randomBytes(12).toString('hex')}`;
  const apiKey = `sandbox_${randomBytes(16).toString('hex')}`;
  const merchantAccountId = config.efundpay.merchantAccountId;
  const latencyMs = config.sandboxLatencyMs;
  const [wooshpay, efundpay] = await Promise.all([
    startWooshPaySimulator({ secretKey, latencyMs }),
    startEfundpaySimulator({ merchantAccountId, apiKey, latencyMs }),
  ]);
  return {
    config: Object.freeze({
      ...config,
      wooshpay: Object.freeze({ baseUrl: wooshpay.url, secretKey }),
      efundpay: Object.freeze({
        ...config.efundpay,
        baseUrl: efundpay.url,
        auth: { kind: 'api-key', apiKey } as const,
      }),
    }),
    wooshpay,
    efundpay,
    close: async () => {
      await Promise.all([wooshpay.close(), efundpay.close()]);
    },
  };
}
