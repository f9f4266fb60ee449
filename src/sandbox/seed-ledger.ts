/**
 * The sandbox's first activity, so analysts' search and payments' refund lists have something to
 * show at once: every seeded refund is read once (reads feed the ledger), and a few refunds are
 * created through createRefund itself (several on one payment per provider). The created refunds
 * settle after SANDBOX_SETTLE_MS like any other, through the simulators' webhooks.
 *
 * Best effort: the sandbox serves whatever happens here; a failure is one warn line.
 */
import type { Logger } from 'pino';
import type { RefundProviderName } from '../domain/refund.js';
import type { SandboxStart } from '../providers/definition.js';
import type { RefundCreation } from '../refunds/create/refund-creation.js';
import type { RefundReader } from '../refunds/read/refund-reader.js';

export interface SandboxSeedTarget {
  readonly refundCache: RefundReader;
  readonly creation: RefundCreation;
  /** Resolves once the background ledger writes queued so far are done. */
  flushLedger(): Promise<void>;
}

export async function seedSandboxLedger(
  app: SandboxSeedTarget,
  starts: ReadonlyMap<RefundProviderName, SandboxStart>,
  logger: Logger,
): Promise<{ read: number; created: number }> {
  let read = 0;
  let created = 0;
  const requestId = 'sandbox-start';
  for (const [provider, start] of starts) {
    const refs = start.seededRefundIds.map((providerRefundId) => ({ provider, providerRefundId }));
    const results = await app.refundCache.readMany(refs, { requestId });
    read += results.filter((result) => result !== null && !(result instanceof Error)).length;
    for (const [index, demo] of start.demoRefunds.entries()) {
      try {
        const outcome = await app.creation.create(
          {
            provider,
            paymentId: demo.paymentId,
            amount: { minorUnits: demo.minorUnits, currencyCode: demo.currencyCode },
            reason: 'REQUESTED_BY_CUSTOMER',
            note: 'Made by the sandbox at start',
            // One key per demo refund and sandbox run: a restart makes them anew, as a new sandbox should.
            idempotencyKey: `sandbox-start-${process.pid}-${Date.now()}-${provider.toLowerCase()}-${index}`,
          },
          { requestId, authorization: undefined, logger },
        );
        if (outcome.kind === 'RefundCreated') created += 1;
      } catch (error) {
        logger.warn({ event: 'sandbox.seed_failed', provider, err: error }, 'The sandbox could not make a demo refund');
      }
    }
  }
  await app.flushLedger();
  return { read, created };
}
