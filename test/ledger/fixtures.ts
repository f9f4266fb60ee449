/** Small builders for the ledger tests: refunds, a settable clock, a logger whose lines are kept. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createMoney } from '../../src/domain/money.js';
import type { RefundModel, RefundStatus } from '../../src/domain/refund.js';

let sequence = 0;

/** A WooshPay-shaped refund (ids are unique per call unless given). */
export function refundModel(
  overrides: Partial<Omit<RefundModel, 'amount'>> & { amountMinor?: number; currencyCode?: string } = {},
): RefundModel {
  sequence += 1;
  const providerRefundId = overrides.providerRefundId ?? `re_test${process.pid}x${sequence}`;
  const status: RefundStatus = overrides.status ?? 'PENDING';
  return {
    id: `wooshpay:${providerRefundId}`,
    provider: overrides.provider ?? 'WOOSHPAY',
    providerRefundId,
    paymentId: overrides.paymentId === undefined ? 'pi_1787730900000000001' : overrides.paymentId,
    status,
    providerStatus: overrides.providerStatus ?? status.toLowerCase(),
    reason: overrides.reason === undefined ? null : overrides.reason,
    createdAt: overrides.createdAt ?? new Date('2025-03-01T11:00:00.000Z'),
    amount: createMoney(overrides.amountMinor ?? 1500, overrides.currencyCode ?? 'USD'),
    details: overrides.details ?? { kind: 'WooshPayRefundDetails' },
  };
}

export interface TestClock {
  readonly now: () => Date;
  advance(ms: number): void;
}

export function testClock(start = '2025-03-01T12:00:00.000Z'): TestClock {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance(ms) {
      at += ms;
    },
  };
}

export interface CapturedLogger {
  readonly logger: Logger;
  /** Parsed JSON lines logged so far. */
  lines(): Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines: () => [...lines] };
}

export const HOUR = 3_600_000;
