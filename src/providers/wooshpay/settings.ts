/** WooshPay's own settings: where it is and the secret key that authenticates us. */
import { z } from 'zod';
import { credentialFingerprint } from '../account.js';
import type { ProviderSettings, ProviderVariable } from '../definition.js';
import {
  baseUrl,
  optionalText,
  DEFAULT_MAX_CONCURRENCY,
  maxConcurrency,
  parseEnv,
  requestsPerSecond,
  type Env,
} from '../settings-fields.js';

export interface WooshPaySettings extends ProviderSettings {
  readonly baseUrl: string;
  readonly secretKey: string | null;
  /** The webhook signing secrets (several during a rotation); null when unset: webhooks are off. */
  readonly webhookSecrets: readonly string[] | null;
}

export const WOOSHPAY_VARIABLES: readonly ProviderVariable[] = [
  { name: 'WOOSHPAY_BASE_URL', secret: false },
  { name: 'WOOSHPAY_SECRET_KEY', secret: true },
  { name: 'WOOSHPAY_MAX_REQUESTS_PER_S', secret: false },
  { name: 'WOOSHPAY_MAX_CONCURRENCY', secret: false },
  { name: 'WOOSHPAY_WEBHOOK_SECRET', secret: true },
];

const DEFAULT_BASE_URL = 'https://apitest.wooshpay.com';

const schema = z.object({
  WOOSHPAY_BASE_URL: baseUrl('WOOSHPAY_BASE_URL', DEFAULT_BASE_URL),
  WOOSHPAY_SECRET_KEY: optionalText,
  WOOSHPAY_MAX_REQUESTS_PER_S: requestsPerSecond('WOOSHPAY_MAX_REQUESTS_PER_S'),
  WOOSHPAY_MAX_CONCURRENCY: maxConcurrency('WOOSHPAY_MAX_CONCURRENCY'),
  WOOSHPAY_WEBHOOK_SECRET: optionalText,
});

export function readWooshPaySettings(env: Env, problems: string[]): WooshPaySettings {
  const vars = parseEnv(schema, env, problems);
  const secretKey = vars?.WOOSHPAY_SECRET_KEY ?? null;
  if (secretKey !== null && !/^sk_(test|live)_\S+$/.test(secretKey)) {
    problems.push(
      'WOOSHPAY_SECRET_KEY must be a WooshPay secret key (sk_test_… or sk_live_…); the value set does not look like one',
    );
  }
  return Object.freeze({
    configured: secretKey !== null,
    baseUrl: vars?.WOOSHPAY_BASE_URL ?? DEFAULT_BASE_URL,
    secretKey,
    maxRequestsPerSecond: vars?.WOOSHPAY_MAX_REQUESTS_PER_S ?? null,
    maxConcurrency: vars?.WOOSHPAY_MAX_CONCURRENCY ?? DEFAULT_MAX_CONCURRENCY,
    webhookSecrets: webhookSecrets(vars?.WOOSHPAY_WEBHOOK_SECRET ?? null),
  });
}

/** WOOSHPAY_WEBHOOK_SECRET: a comma-separated list, so an old and a new secret verify during a rotation. */
function webhookSecrets(raw: string | null): readonly string[] | null {
  const secrets = (raw ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  return secrets.length === 0 ? null : Object.freeze(secrets);
}

/** The account the key acts for, as a fingerprint of the key (one WooshPay key is one account). */
export function wooshPayAccount(secretKey: string): string {
  return credentialFingerprint(secretKey);
}
