/**
 * Who may refund, with a real JWKS served on loopback: with AUTH_JWKS_URL set, createRefund needs
 * a verified JWT (issuer, audience, expiry) with `refunds:write` in `scope` or `scp`; production
 * without AUTH_JWKS_URL refuses refund creation; reads never need a token. No refused call reaches
 * a provider.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { AUDIENCE, ISSUER, useLocalJwks, type LocalJwks } from '../helpers/local-jwks.js';
import { useStack, type Stack } from '../helpers/stack.js';

const jwks = useLocalJwks();
const token: LocalJwks['token'] = (claims, options) => jwks.token(claims, options);

const input = () => ({
  provider: 'WOOSHPAY',
  paymentId: 'pi_1787730900000000003',
  amount: { minorUnits: 10, currencyCode: 'JPY' },
  reason: 'REQUESTED_BY_CUSTOMER',
  idempotencyKey: `auth-${randomUUID()}`,
});

async function createRefund(stack: Stack, variables: Record<string, unknown>, authorization?: string) {
  const { body } = await stack.graphql<{
    createRefund: { __typename: string; replayed?: boolean; refund?: { id: string } };
  }>(CREATE_REFUND, { input: variables }, authorization === undefined ? {} : { authorization });
  return { payload: body.data?.createRefund ?? null, errors: body.errors };
}

describe('createRefund with AUTH_JWKS_URL', () => {
  const stack = useStack({
    env: {
      get AUTH_JWKS_URL() {
        return jwks.url();
      },
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    },
  });

  it.each([
    ['no Authorization header', async () => undefined],
    ['a token that is not a JWT', async () => 'Bearer not-a-jwt'],
    ['a Basic credential', async () => 'Basic dXNlcjpwYXNz'],
    [
      'a JWT signed by another key',
      async () => `Bearer ${await token({ sub: 'u1', scope: 'refunds:write' }, { key: 'stranger' })}`,
    ],
    [
      'an expired JWT',
      async () => `Bearer ${await token({ sub: 'u1', scope: 'refunds:write' }, { expiresIn: '-1m' })}`,
    ],
    [
      'a JWT for another audience',
      async () => `Bearer ${await token({ sub: 'u1', scope: 'refunds:write' }, { audience: 'other' })}`,
    ],
    ['a JWT without sub', async () => `Bearer ${await token({ scope: 'refunds:write' })}`],
  ])('%s is UNAUTHENTICATED, with no provider call', async (_name, authorization) => {
    const { payload, errors } = await createRefund(stack, input(), await authorization());
    expect(payload).toBeNull();
    expect(errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(errors?.[0]?.message).not.toMatch(/eyJ/);
    expect(stack.providerCalls()).toBe(0);
  });

  it('a verified JWT without refunds:write is FORBIDDEN, with no provider call', async () => {
    const authorization = `Bearer ${await token({ sub: 'u1', scope: 'openid refunds:read', scp: ['profile'] })}`;
    const { payload, errors } = await createRefund(stack, input(), authorization);
    expect(payload).toBeNull();
    expect(errors?.[0]).toMatchObject({
      message: 'createRefund needs the refunds:write scope',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(stack.providerCalls()).toBe(0);
  });

  it("audits a FORBIDDEN attempt under the verified token's sub: who tried is what the line is for", async () => {
    const before = stack.logs.length;
    const authorization = `Bearer ${await token({ sub: 'mallory', scope: 'refunds:read' })}`;
    const { errors } = await createRefund(stack, input(), authorization);
    expect(errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    const audit = stack.logs.slice(before).find((line) => line.event === 'refund.create');
    expect(audit).toMatchObject({ actor: 'mallory', outcome: { type: 'error', code: 'FORBIDDEN' } });
  });

  it.each([
    ['scope string', { sub: 'alice', scope: 'openid refunds:write' }],
    ['scp list', { sub: 'alice', scp: ['refunds:write'] }],
  ])('a verified JWT with refunds:write in its %s creates the refund, audited under its sub', async (_name, claims) => {
    const before = stack.logs.length;
    const { payload, errors } = await createRefund(stack, input(), `Bearer ${await token(claims)}`);
    expect(errors).toBeUndefined();
    expect(payload?.__typename).toBe('RefundCreated');
    const audit = stack.logs.slice(before).find((line) => line.event === 'refund.create');
    expect(audit).toMatchObject({ actor: 'alice', outcome: { type: 'created' } });
    expect(stack.rawLogs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });

  it('scopes idempotency keys by caller: the same key from two users makes two refunds', async () => {
    const same = input();
    const alice = await createRefund(stack, same, `Bearer ${await token({ sub: 'alice', scope: 'refunds:write' })}`);
    const bob = await createRefund(stack, same, `Bearer ${await token({ sub: 'bob', scope: 'refunds:write' })}`);
    expect(alice.payload?.replayed).toBe(false);
    expect(bob.payload?.replayed).toBe(false);
    expect(bob.payload?.refund?.id).not.toBe(alice.payload?.refund?.id);
  });

  it('reads need no token', async () => {
    const { body } = await stack.graphql(`{ refund(id: "wooshpay:re_1787731200000000001") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ refund: { id: 'wooshpay:re_1787731200000000001' } });
  });
});

describe('createRefund in production without AUTH_JWKS_URL', () => {
  const stack = useStack({ env: { NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true' } });

  it('is FORBIDDEN "refund creation is disabled: set AUTH_JWKS_URL", even with a token, and reads still work', async () => {
    const { payload, errors } = await createRefund(
      stack,
      input(),
      `Bearer ${await token({ sub: 'u1', scope: 'refunds:write' })}`,
    );
    expect(payload).toBeNull();
    expect(errors?.[0]).toMatchObject({
      message: 'refund creation is disabled: set AUTH_JWKS_URL',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(stack.providerCalls()).toBe(0);
    const read = await stack.graphql(`{ refund(id: "wooshpay:re_1787731200000000001") { id } }`);
    expect(read.body.data).toEqual({ refund: { id: 'wooshpay:re_1787731200000000001' } });
  });
});
