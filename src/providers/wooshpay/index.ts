/** WooshPay as a registered provider: everything the subgraph knows about it comes from this folder. */
import { randomBytes } from 'node:crypto';
import { wooshPaySeedRefunds } from './seed.js';
import { defineProvider } from '../definition.js';
import { createWooshPayClient } from './client.js';
import {
  WOOSHPAY_GLOBAL_ID_PREFIX,
  WOOSHPAY_PAYMENT_INTENT_ID,
  WOOSHPAY_REFUND_ID,
  wooshPayIdentity,
} from './identity.js';
import { WOOSHPAY_VARIABLES, readWooshPaySettings } from './settings.js';
import { startWooshPaySimulator } from './simulator.js';
import { wooshPayWebhooks } from './webhook.js';

export const wooshPayProvider = defineProvider({
  ...wooshPayIdentity,
  globalIdPrefix: WOOSHPAY_GLOBAL_ID_PREFIX,
  idPattern: WOOSHPAY_REFUND_ID,
  idFormat: '"re_" followed by 1 to 100 letters or digits',
  canonicalId: (id) => id,
  payments: {
    idPattern: WOOSHPAY_PAYMENT_INTENT_ID,
    idFormat: '"pi_" followed by 1 to 100 letters or digits (a PaymentIntent id)',
    canonicalId: (id) => id,
    amountRequired: false,
    metadataSupported: true,
  },
  variables: WOOSHPAY_VARIABLES,
  // Secret and restricted keys, Stripe-style.
  credentialPatterns: [/\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+/g, /\bwhsec_[A-Za-z0-9_]+/g],
  credentialSettings: 'WOOSHPAY_SECRET_KEY',
  credentialHint: 'WOOSHPAY_SECRET_KEY',
  readSettings: readWooshPaySettings,
  createClient: (settings, shared, dependencies) => {
    if (settings.secretKey === null) throw new TypeError('WooshPay is not configured: WOOSHPAY_SECRET_KEY is unset');
    return createWooshPayClient({ ...settings, secretKey: settings.secretKey }, shared, dependencies);
  },
  startSimulator: async ({ latencyMs, settleMs, webhookRetry }) => {
    const secretKey = `sk_test_sandbox${randomBytes(12).toString('hex')}`;
    const webhookSecret = `whsec_sandbox${randomBytes(16).toString('hex')}`;
    const handle = await startWooshPaySimulator({
      secretKey,
      latencyMs,
      ...(settleMs === undefined ? {} : { settleMs }),
      webhooks: { secret: webhookSecret, ...webhookRetry },
    });
    return {
      handle,
      env: { WOOSHPAY_BASE_URL: handle.url, WOOSHPAY_SECRET_KEY: secretKey, WOOSHPAY_WEBHOOK_SECRET: webhookSecret },
      sandboxStart: {
        seededRefundIds: wooshPaySeedRefunds.map((refund) => refund.id),
        // Three refunds on the EUR 80.00 payment (17.50 in all).
        demoRefunds: [1000, 550, 200].map((minorUnits) => ({
          paymentId: 'pi_1787730900000000002',
          minorUnits,
          currencyCode: 'EUR',
        })),
      },
    };
  },
  webhooks: wooshPayWebhooks,
});
