/**
 * An efundpay simulator that accepts only RS512 JWTs signed for one key id, to hand to the stack
 * in place of the registry's (which accepts an API key): `startStack({ replace: { efundpay: … } })`,
 * with the JWT settings (EFUNDPAY_KEY_ID, EFUNDPAY_PRIVATE_KEY) in the stack's `env`.
 */
import type { KeyObject } from 'node:crypto';
import type { StartedProviderSimulator } from '../../src/providers/definition.js';
import { startEfundpaySimulator } from '../../src/providers/efundpay/simulator.js';

export function efundpayJwtSimulator(keyId: string, publicKey: KeyObject): () => Promise<StartedProviderSimulator> {
  return async () => {
    const handle = await startEfundpaySimulator({ merchantAccountId: 'default', jwt: { keyId, publicKey } });
    return { handle, env: { EFUNDPAY_BASE_URL: handle.url } };
  };
}
