/** efundpay as a registered provider: everything the subgraph knows about it comes from this folder. */
import { randomBytes } from 'node:crypto';
import { efundpaySeedRefunds } from './seed.js';
import { defineProvider } from '../definition.js';
import { createEfundpayClient } from './client.js';
import {
  EFUNDPAY_GLOBAL_ID_PREFIX,
  EFUNDPAY_REFUND_ID,
  EFUNDPAY_TRANSACTION_ID,
  efundpayIdentity,
} from './identity.js';
import { EFUNDPAY_VARIABLES, readEfundpaySettings } from './settings.js';
import { startEfundpaySimulator } from './simulator.js';
import { efundpaySimulatorKeyPair } from './simulator-webhooks.js';
import { efundpayWebhooks } from './webhook.js';

export const efundpayProvider = defineProvider({
  ...efundpayIdentity,
  globalIdPrefix: EFUNDPAY_GLOBAL_ID_PREFIX,
  idPattern: EFUNDPAY_REFUND_ID,
  idFormat: 'a UUID such as 6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
  canonicalId: (id) => id.toLowerCase(),
  payments: {
    idPattern: EFUNDPAY_TRANSACTION_ID,
    idFormat: 'a transaction UUID such as 21e7e301-81e7-4e5a-9928-d35624e5aefc',
    canonicalId: (id) => id.toLowerCase(),
    amountRequired: true,
    metadataSupported: false,
  },
  variables: EFUNDPAY_VARIABLES,
  // Its keys travel as Bearer values and JWTs, which the logger censors for every provider.
  credentialPatterns: [],
  credentialSettings: 'EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with EFUNDPAY_PRIVATE_KEY (or EFUNDPAY_PRIVATE_KEY_FILE)',
  credentialHint: 'EFUNDPAY_API_KEY (or EFUNDPAY_KEY_ID with EFUNDPAY_PRIVATE_KEY)',
  readSettings: readEfundpaySettings,
  createClient: (settings, shared, dependencies) => {
    if (settings.auth === null) throw new TypeError('efundpay is not configured: no credentials are set');
    return createEfundpayClient(settings, settings.auth, shared, dependencies);
  },
  startSimulator: async ({ latencyMs, settleMs, env, webhookRetry }) => {
    const apiKey = `sandbox_${randomBytes(16).toString('hex')}`;
    // The sandbox serves the merchant account the subgraph is configured for (default `default`).
    const { merchantAccountId } = readEfundpaySettings(env, []);
    const signing = efundpaySimulatorKeyPair();
    const handle = await startEfundpaySimulator({
      merchantAccountId,
      apiKey,
      latencyMs,
      ...(settleMs === undefined ? {} : { settleMs }),
      webhooks: { privateKey: signing.privateKey, ...webhookRetry },
    });
    return {
      handle,
      env: {
        EFUNDPAY_BASE_URL: handle.url,
        EFUNDPAY_MERCHANT_ACCOUNT_ID: merchantAccountId,
        EFUNDPAY_API_KEY: apiKey,
        // efundpay requires a webhook URL to create refunds; the simulator sends its notifications
        // to the target set on its handle instead (the subgraph's port is known only later).
        EFUNDPAY_REFUND_WEBHOOK_URL: `${handle.origin}/sandbox/refund-webhooks`,
        EFUNDPAY_WEBHOOK_PUBLIC_KEY: signing.publicKeyPem,
      },
      sandboxStart: {
        // Seeded refunds of the account the subgraph is configured for (others' answer 404).
        seededRefundIds: efundpaySeedRefunds
          .filter((seeded) => seeded.merchantAccountId === merchantAccountId)
          .map((seeded) => seeded.refund.id),
        // Two refunds on the EUR 80.00 transaction (20.00 in all).
        demoRefunds: [1200, 800].map((minorUnits) => ({
          paymentId: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61',
          minorUnits,
          currencyCode: 'EUR',
        })),
      },
    };
  },
  webhooks: efundpayWebhooks,
});
