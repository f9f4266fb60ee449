/**
 * The freshness policy: how long a read counts as fresh, by what the provider answered. Settled
 * refunds get the settled lifetime, every other status (UNKNOWN included) the pending one, and
 * "no such refund" its own.
 */
import { describe, expect, it } from 'vitest';
import type { RefundStatus } from '../../src/__generated__/schema-types.js';
import { mapWooshPayRefund } from '../../src/providers/wooshpay/mapper.js';
import { wooshPayRefundSchema } from '../../src/providers/wooshpay/wire.js';
import { freshnessMs, isSettled, type FreshnessPolicy } from '../../src/refunds/read/freshness.js';
import { WOOSHPAY_DOCS_BODY } from '../fixtures/provider-bodies.js';

/** Three different lifetimes, so each answer shows which one was chosen. */
const POLICY: FreshnessPolicy = { ttlSettledMs: 300_000, ttlPendingMs: 5_000, ttlNotFoundMs: 2_000 };
const REFUND = mapWooshPayRefund(wooshPayRefundSchema.parse(WOOSHPAY_DOCS_BODY));

/** Every RefundStatus with whether it is final (schema.graphql: succeeded, failed, canceled are). */
const STATUSES: ReadonlyArray<[RefundStatus, boolean]> = [
  ['SUCCEEDED', true],
  ['FAILED', true],
  ['CANCELED', true],
  ['PENDING', false],
  ['REQUIRES_ACTION', false],
  ['UNKNOWN', false],
];

describe('freshnessMs', () => {
  it.each(STATUSES)(
    'gives a %s refund the settled lifetime when final (%s), else the pending one',
    (status, settled) => {
      expect(freshnessMs(POLICY, { ...REFUND, status })).toBe(settled ? POLICY.ttlSettledMs : POLICY.ttlPendingMs);
    },
  );

  it('gives "no such refund" the not-found lifetime', () => {
    expect(freshnessMs(POLICY, null)).toBe(POLICY.ttlNotFoundMs);
  });

  it('passes a zero lifetime through (fresh for no time at all)', () => {
    const never: FreshnessPolicy = { ttlSettledMs: 0, ttlPendingMs: 0, ttlNotFoundMs: 0 };
    expect(freshnessMs(never, REFUND)).toBe(0);
    expect(freshnessMs(never, null)).toBe(0);
  });
});

describe('isSettled', () => {
  it.each(STATUSES)('%s is final: %s', (status, settled) => {
    expect(isSettled(status)).toBe(settled);
  });
});
