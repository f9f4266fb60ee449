/**
 * The account a provider port acts for (`RefundProviderPort.account`) is derived from its
 * credentials: a fingerprint that tells deployments with other credentials apart, and from which
 * no secret can be recovered.
 */
import { createHash } from 'node:crypto';

/** `key-` and the first 16 hex digits of the credentials' SHA-256. */
export function credentialFingerprint(credentials: string): string {
  return `key-${createHash('sha256').update(credentials).digest('hex').slice(0, 16)}`;
}
