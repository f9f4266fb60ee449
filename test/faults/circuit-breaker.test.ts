/**
 * The circuit breaker per provider, over real HTTP: it opens after sustained failures, then fails
 * fast with no provider call at all, logs every state change, half-opens after BREAKER_RESET_MS
 * and lets exactly one probe through, which closes it again. The other provider never notices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_CANCELED,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_FAILED_EXPIRED_CARD,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
  WOOSHPAY_FAILED_UNKNOWN_REASON,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

/** Eight seeded WooshPay refunds. */
const WOOSHPAY_IDS = [
  WOOSHPAY_USD_SPEC_EXAMPLE,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_FAILED_EXPIRED_CARD,
  WOOSHPAY_FAILED_UNKNOWN_REASON,
  WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
  WOOSHPAY_CANCELED,
].map((refund) => refund.providerRefundId);
const RESET_MS = 700;
const VOLUME = 4;

const REFUNDS = /* GraphQL */ `
  query Refunds($ids: [ID!]!) {
    refunds(ids: $ids) {
      id
    }
  }
`;

type Response = Awaited<ReturnType<Stack['graphql']>>;

function ids(response: Response): Array<string | null> {
  const rows = (response.body.data as { refunds: Array<{ id: string } | null> } | undefined)?.refunds ?? [];
  return rows.map((row) => row?.id ?? null);
}

describe('circuit breaker', () => {
  let stack: Stack;

  const breakerLogs = () =>
    stack.logs.filter((line) => line.provider === 'WOOSHPAY' && typeof line.breaker === 'string') as Array<{
      breaker: string;
      level: string;
      msg: string;
    }>;

  /** Polls the log (bounded) for the breaker's next state change. */
  async function waitForBreaker(state: string, after: number): Promise<void> {
    const until = Date.now() + RESET_MS * 10;
    while (Date.now() < until) {
      if (
        breakerLogs()
          .slice(after)
          .some((line) => line.breaker === state)
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(
      `the WooshPay breaker did not become ${state} within ${RESET_MS * 10} ms; saw ${JSON.stringify(breakerLogs())}`,
    );
  }

  /** The breaker gauge operators see on /metrics: 0 closed, 1 half-open, 2 open. */
  const breakerGauge = async () => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((entry) => entry.startsWith('refunds_provider_breaker_state{') && entry.includes('"WOOSHPAY"'));
    return Number(line?.split(' ').at(-1));
  };

  beforeAll(async () => {
    stack = await startStack({
      env: {
        BREAKER_VOLUME_THRESHOLD: String(VOLUME),
        BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        BREAKER_WINDOW_MS: '10000',
        BREAKER_RESET_MS: String(RESET_MS),
        PROVIDER_MAX_RETRIES: '1',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('stays closed while the provider is healthy', async () => {
    const response = await stack.graphql(REFUNDS, { ids: WOOSHPAY_IDS.slice(0, 3) });
    expect(response.body.errors).toBeUndefined();
    expect(breakerLogs()).toEqual([]);
  });

  it('opens after sustained failures, and logs it', async () => {
    stack.simulators.wooshpay.injectFault('*', { kind: 'status', status: 503 });

    const response = await stack.graphql(REFUNDS, {
      ids: [...WOOSHPAY_IDS.slice(0, VOLUME + 1), EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId],
    });

    expect(ids(response)).toEqual([...Array.from({ length: VOLUME + 1 }, () => null), EFUNDPAY_EUR_DOCS_EXAMPLE.id]);
    expect(response.body.errors?.every((error) => error.extensions?.code === 'PROVIDER_UNAVAILABLE')).toBe(true);
    const opened = breakerLogs().filter((line) => line.breaker === 'open');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ level: 'warn' });
    expect(opened[0]!.msg).toContain('opened');
  });

  it('while open, fails fast with PROVIDER_UNAVAILABLE and makes no provider call; the other provider is untouched', async () => {
    stack.resetCounters();

    const response = await stack.graphql(REFUNDS, {
      ids: [WOOSHPAY_IDS[0], EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, WOOSHPAY_IDS[1]],
    });

    expect(ids(response)).toEqual([null, EFUNDPAY_EUR_DOCS_EXAMPLE.id, null]);
    expect(response.body.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['refunds', 0], { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' }],
      [['refunds', 2], { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' }],
    ]);
    expect(response.body.errors?.[0]?.message).toContain('circuit breaker');
    expect(stack.simulators.wooshpay.requestCount()).toBe(0);
    expect(stack.simulators.efundpay.requestCount()).toBe(1);
    expect(await breakerGauge()).toBe(2);
  });

  it('half-opens after BREAKER_RESET_MS, and a failing probe opens it again', async () => {
    const before = breakerLogs().length;
    await waitForBreaker('half-open', before);
    stack.resetCounters();

    const response = await stack.graphql(REFUNDS, { ids: [WOOSHPAY_IDS[2]] });

    expect(ids(response)).toEqual([null]);
    // One probe (retried like any call: PROVIDER_MAX_RETRIES=1), then the breaker is open again.
    expect(stack.simulators.wooshpay.requestCount()).toBe(2);
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' });
    expect(
      breakerLogs()
        .slice(before)
        .map((line) => line.breaker),
    ).toEqual(['half-open', 'open']);
  });

  it('recovers with one probe once the provider is healthy: exactly one call while half-open, then closed', async () => {
    stack.simulators.wooshpay.clearFaults();
    const before = breakerLogs().length;
    await waitForBreaker('half-open', before);
    stack.resetCounters();

    // Three refunds arrive together while half-open: one is the probe, the others still fail fast.
    const probe = await stack.graphql(REFUNDS, { ids: WOOSHPAY_IDS.slice(0, 3) });

    expect(stack.simulators.wooshpay.requestCount()).toBe(1);
    expect(ids(probe).filter((id) => id !== null)).toHaveLength(1);
    expect(
      breakerLogs()
        .slice(before)
        .map((line) => line.breaker),
    ).toEqual(['half-open', 'closed']);
    expect(breakerLogs().at(-1)).toMatchObject({ level: 'info' });

    const after = await stack.graphql(REFUNDS, { ids: WOOSHPAY_IDS.slice(0, 3) });
    expect(after.body.errors).toBeUndefined();
    expect(ids(after)).toEqual(WOOSHPAY_IDS.slice(0, 3).map((id) => `wooshpay:${id}`));
    expect(await breakerGauge()).toBe(0);
  });

  it('is not opened by refunds that simply do not exist', async () => {
    const before = breakerLogs().length;
    const missing = Array.from({ length: VOLUME * 3 }, (_, index) => `re_missing${index}`);

    const response = await stack.graphql(REFUNDS, { ids: missing });

    expect(response.body.errors).toBeUndefined();
    expect(ids(response)).toEqual(missing.map(() => null));
    expect(breakerLogs().slice(before)).toEqual([]);
  });
});
