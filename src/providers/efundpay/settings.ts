/**
 * efundpay's own settings: where it is, the merchant account we act for, and the credentials: a
 * static API key, or a key id with an RSA private key for RS512 JWTs. The key is parsed here so a
 * corrupt or non-RSA key fails at start with a fixable message, not on the first call; no message
 * ever quotes it.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { credentialFingerprint } from '../account.js';
import type { ProviderSettings, ProviderVariable } from '../definition.js';
import {
  baseUrl,
  optionalText,
  optionalUrl,
  DEFAULT_MAX_CONCURRENCY,
  maxConcurrency,
  parseEnv,
  requestsPerSecond,
  type Env,
} from '../settings-fields.js';

export type EfundpayAuthConfig =
  | { readonly kind: 'api-key'; readonly apiKey: string }
  | { readonly kind: 'jwt'; readonly keyId: string; readonly privateKeyPem: string };

export interface EfundpaySettings extends ProviderSettings {
  readonly baseUrl: string;
  readonly merchantAccountId: string;
  readonly auth: EfundpayAuthConfig | null;
  /** Where efundpay posts refund status notifications; null: refund creation is not configured. */
  readonly refundWebhookUrl: string | null;
  /** The PEM public keys that verify efundpay's webhook signatures; null when unset: webhooks are off. */
  readonly webhookPublicKeys: readonly string[] | null;
}

export const EFUNDPAY_VARIABLES: readonly ProviderVariable[] = [
  { name: 'EFUNDPAY_BASE_URL', secret: false },
  { name: 'EFUNDPAY_MERCHANT_ACCOUNT_ID', secret: false },
  { name: 'EFUNDPAY_API_KEY', secret: true },
  { name: 'EFUNDPAY_KEY_ID', secret: false },
  { name: 'EFUNDPAY_PRIVATE_KEY', secret: true },
  { name: 'EFUNDPAY_PRIVATE_KEY_FILE', secret: false },
  { name: 'EFUNDPAY_REFUND_WEBHOOK_URL', secret: false },
  { name: 'EFUNDPAY_MAX_REQUESTS_PER_S', secret: false },
  { name: 'EFUNDPAY_MAX_CONCURRENCY', secret: false },
  { name: 'EFUNDPAY_WEBHOOK_PUBLIC_KEY', secret: false },
];

const DEFAULT_BASE_URL = 'https://sandbox.efundpay.com/v4';
const DEFAULT_MERCHANT_ACCOUNT_ID = 'default';

const schema = z.object({
  EFUNDPAY_BASE_URL: baseUrl('EFUNDPAY_BASE_URL', DEFAULT_BASE_URL),
  EFUNDPAY_MERCHANT_ACCOUNT_ID: optionalText,
  EFUNDPAY_API_KEY: optionalText,
  EFUNDPAY_KEY_ID: optionalText,
  EFUNDPAY_PRIVATE_KEY: optionalText,
  EFUNDPAY_PRIVATE_KEY_FILE: optionalText,
  EFUNDPAY_REFUND_WEBHOOK_URL: optionalUrl('EFUNDPAY_REFUND_WEBHOOK_URL', 'https://shop.example.com/webhooks/efundpay'),
  EFUNDPAY_MAX_REQUESTS_PER_S: requestsPerSecond('EFUNDPAY_MAX_REQUESTS_PER_S'),
  EFUNDPAY_MAX_CONCURRENCY: maxConcurrency('EFUNDPAY_MAX_CONCURRENCY'),
  EFUNDPAY_WEBHOOK_PUBLIC_KEY: optionalText,
});

type Vars = z.infer<typeof schema>;

export function readEfundpaySettings(env: Env, problems: string[]): EfundpaySettings {
  const vars = parseEnv(schema, env, problems);
  const auth = vars === null ? null : readAuth(vars, problems);
  return Object.freeze({
    configured: auth !== null,
    baseUrl: vars?.EFUNDPAY_BASE_URL ?? DEFAULT_BASE_URL,
    merchantAccountId: vars?.EFUNDPAY_MERCHANT_ACCOUNT_ID ?? DEFAULT_MERCHANT_ACCOUNT_ID,
    auth,
    refundWebhookUrl: vars?.EFUNDPAY_REFUND_WEBHOOK_URL ?? null,
    maxRequestsPerSecond: vars?.EFUNDPAY_MAX_REQUESTS_PER_S ?? null,
    maxConcurrency: vars?.EFUNDPAY_MAX_CONCURRENCY ?? DEFAULT_MAX_CONCURRENCY,
    webhookPublicKeys: readWebhookPublicKey(vars?.EFUNDPAY_WEBHOOK_PUBLIC_KEY ?? null, problems),
  });
}

/** EFUNDPAY_WEBHOOK_PUBLIC_KEY: efundpay's RSA public key in PEM form (`\n` escapes allowed), checked at start. */
function readWebhookPublicKey(raw: string | null, problems: string[]): readonly string[] | null {
  if (raw === null) return null;
  const pem = raw.replace(/\\n/g, '\n');
  const expected = 'an RSA public key in PEM form (-----BEGIN PUBLIC KEY-----), as efundpay gives it for webhooks';
  // createPublicKey would also derive a public key from a private one, which does not belong here.
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) {
    problems.push(`EFUNDPAY_WEBHOOK_PUBLIC_KEY must hold ${expected}`);
    return null;
  }
  let keyType: string | undefined;
  try {
    keyType = createPublicKey(pem).asymmetricKeyType;
  } catch {
    problems.push(
      `EFUNDPAY_WEBHOOK_PUBLIC_KEY could not be parsed as ${expected}: check that the whole PEM, header to footer, was copied`,
    );
    return null;
  }
  if (keyType !== 'rsa') {
    problems.push(`EFUNDPAY_WEBHOOK_PUBLIC_KEY holds a key of type ${keyType ?? 'unknown'}; it must be ${expected}`);
    return null;
  }
  return Object.freeze([pem]);
}

/** The merchant account, with a fingerprint of the credentials that act for it. */
export function efundpayAccount(merchantAccountId: string, auth: EfundpayAuthConfig): string {
  const secret = auth.kind === 'api-key' ? auth.apiKey : `${auth.keyId}\n${auth.privateKeyPem}`;
  return `${merchantAccountId}:${credentialFingerprint(secret)}`;
}

function readAuth(vars: Vars, problems: string[]): EfundpayAuthConfig | null {
  const {
    EFUNDPAY_API_KEY: apiKey,
    EFUNDPAY_KEY_ID: keyId,
    EFUNDPAY_PRIVATE_KEY: pem,
    EFUNDPAY_PRIVATE_KEY_FILE: pemFile,
  } = vars;
  const wantsJwt = keyId !== null || pem !== null || pemFile !== null;
  if (apiKey !== null && wantsJwt) {
    problems.push('Set either EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with a private key, not both');
    return null;
  }
  if (apiKey !== null) return { kind: 'api-key', apiKey };
  if (!wantsJwt) return null;
  if (pem !== null && pemFile !== null) {
    problems.push('Set either EFUNDPAY_PRIVATE_KEY (PEM text) or EFUNDPAY_PRIVATE_KEY_FILE (a path), not both');
    return null;
  }
  let privateKeyPem = pem?.replace(/\\n/g, '\n') ?? null;
  if (pemFile !== null) {
    try {
      privateKeyPem = readFileSync(pemFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(
        `EFUNDPAY_PRIVATE_KEY_FILE could not be read (${reason}): check the path ${JSON.stringify(pemFile)}`,
      );
      return null;
    }
  }
  if (keyId === null) {
    problems.push(
      'EFUNDPAY_KEY_ID is required with an efundpay private key: set it to the key id shown in the efundpay dashboard',
    );
    return null;
  }
  const keySource =
    pemFile !== null ? `The file EFUNDPAY_PRIVATE_KEY_FILE names (${JSON.stringify(pemFile)})` : 'EFUNDPAY_PRIVATE_KEY';
  const expected = 'an RSA private key in PEM form (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)';
  if (privateKeyPem === null || !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKeyPem)) {
    problems.push(`${keySource} must hold ${expected}`);
    return null;
  }
  let keyType: string | undefined;
  try {
    keyType = createPrivateKey(privateKeyPem).asymmetricKeyType;
  } catch {
    problems.push(
      `${keySource} could not be parsed as ${expected}: check that the whole PEM, header to footer, was copied`,
    );
    return null;
  }
  if (keyType !== 'rsa') {
    problems.push(
      `${keySource} holds a key of type ${keyType ?? 'unknown'}; efundpay signs RS512 JWTs, which need ${expected}`,
    );
    return null;
  }
  return { kind: 'jwt', keyId, privateKeyPem };
}
