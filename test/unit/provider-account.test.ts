import { describe, expect, it } from 'vitest';
import { credentialFingerprint } from '../../src/providers/account.js';
import { efundpayAccount } from '../../src/providers/efundpay/settings.js';
import { providerNotConfigured } from '../../src/providers/ids.js';
import { wooshPayAccount } from '../../src/providers/wooshpay/settings.js';

describe('provider accounts', () => {
  it('fingerprints credentials without revealing them, the same way for every provider', () => {
    const fingerprint = credentialFingerprint('sk_test_secret');
    expect(fingerprint).toMatch(/^key-[0-9a-f]{16}$/);
    expect(fingerprint).toBe(credentialFingerprint('sk_test_secret'));
    expect(fingerprint).not.toBe(credentialFingerprint('sk_test_other'));
    expect(wooshPayAccount('sk_test_secret')).toBe(fingerprint);
    expect(efundpayAccount('merchant-1', { kind: 'api-key', apiKey: 'sk_test_secret' })).toBe(
      `merchant-1:${fingerprint}`,
    );
  });

  it('names the provider whose credentials are missing', () => {
    const error = providerNotConfigured('EFUNDPAY');
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED', provider: 'EFUNDPAY' });
    expect(error.message).toBe('efundpay: no credentials are configured for this provider');
  });
});
