/**
 * The refunds a WooshPay simulator has created, read through its own HTTP contract
 * (`GET /v1/refunds/{id}`), for tests that count what the provider holds rather than what the
 * subgraph answered. WooshPay has no list endpoint, so this walks the ids the simulator gives the
 * refunds it creates (`re_` + (1790000000000000000 + n), n = 1, 2, …, see
 * src/providers/wooshpay/simulator-ledger.ts) up to the first it does not have. Were that scheme
 * to change, the walk would find nothing and a count expecting a refund would fail, never pass.
 */
import type { WooshPayRefundWire } from '../../src/providers/wooshpay/wire.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';

const FIRST_CREATED_ID = 1790000000000000000n;
/** A bound on the walk, far above what one suite creates. */
const MAX_CREATED = 10_000;

/** Every refund the simulator created (seeded ones excluded), oldest first. */
export async function createdWooshPayRefunds(
  simulator: SimulatorHandle,
  secretKey: string,
): Promise<WooshPayRefundWire[]> {
  const authorization = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
  const refunds: WooshPayRefundWire[] = [];
  for (let n = 1n; n <= MAX_CREATED; n += 1n) {
    const response = await fetch(`${simulator.url}/v1/refunds/re_${FIRST_CREATED_ID + n}`, {
      headers: { authorization },
    });
    if (response.status === 404) return refunds;
    if (response.status !== 200) {
      throw new Error(`Expected the WooshPay simulator to answer 200 or 404, received ${response.status}`);
    }
    refunds.push((await response.json()) as WooshPayRefundWire);
  }
  throw new Error(`Expected fewer than ${MAX_CREATED} created refunds in the WooshPay simulator`);
}

/** The refunds the simulator created for one payment intent. */
export async function wooshPayRefundsOf(
  simulator: SimulatorHandle,
  secretKey: string,
  paymentIntent: string,
): Promise<WooshPayRefundWire[]> {
  return (await createdWooshPayRefunds(simulator, secretKey)).filter(
    (refund) => refund.payment_intent === paymentIntent,
  );
}
