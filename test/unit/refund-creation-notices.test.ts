/** What the start log says about refund creation, for each way the subgraph can be configured. */
import { describe, expect, it } from 'vitest';
import { createRefundAuthorizer } from '../../src/auth/refund-authorizer.js';
import { refundCreationNotices } from '../../src/refunds/create/start-notices.js';

const NO_AUTH = { jwksUrl: null, issuer: null, audience: null };
const JWKS = { jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: null, audience: null };

describe('refund creation start notices', () => {
  it('says the sandbox lets anyone refund', () => {
    const notices = refundCreationNotices(createRefundAuthorizer(NO_AUTH, false), {
      isProduction: false,
      redisUrl: null,
    });
    expect(notices).toEqual([expect.objectContaining({ level: 'warn', fields: { refundCreation: 'open' } })]);
    expect(notices[0]?.message).toContain('open to anyone');
  });

  it('in production without AUTH_JWKS_URL says refund creation is disabled, and that several replicas need REDIS_URL', () => {
    const notices = refundCreationNotices(createRefundAuthorizer(NO_AUTH, true), {
      isProduction: true,
      redisUrl: null,
    });
    expect(notices.map((notice) => [notice.level, notice.fields])).toEqual([
      ['warn', { refundCreation: 'disabled' }],
      ['warn', { idempotencyStore: 'memory' }],
    ]);
    expect(notices[0]?.message).toContain('set AUTH_JWKS_URL');
    expect(notices[1]?.message).toContain('more than one replica, set REDIS_URL');
  });

  it('in production with a JWKS and Redis says only that a refunds:write JWT is needed', () => {
    const notices = refundCreationNotices(createRefundAuthorizer(JWKS, true), {
      isProduction: true,
      redisUrl: 'redis://127.0.0.1:6379',
    });
    expect(notices).toEqual([
      {
        level: 'info',
        fields: { refundCreation: 'jwt' },
        message: 'createRefund needs a JWT with the refunds:write scope',
      },
    ]);
  });
});
