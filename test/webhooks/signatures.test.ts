/**
 * Webhook signature verification, one provider at a time, through the provider definitions the
 * subgraph uses: WooshPay's HMAC header (rotation, several v1, tolerance both ways, tampering) and
 * efundpay's RSA signature with its zoned timestamp.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ProviderWebhooks } from '../../src/providers/definition.js';
import { PROVIDERS } from '../../src/providers/registry.js';
import { wooshPaySignature } from '../../src/providers/wooshpay/webhook.js';
import { formatEfundpayTimestamp } from '../../src/providers/efundpay/simulator-webhooks.js';
import { parseEfundpayTimestamp } from '../../src/providers/efundpay/webhook.js';

const TOLERANCE_S = 300;
const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

function webhooksOf(name: string): ProviderWebhooks {
  const webhooks = PROVIDERS.find((definition) => definition.name === name)?.webhooks;
  if (webhooks === undefined) throw new Error(`Expected ${name} to define webhooks`);
  return webhooks;
}

describe('WooshPay signatures', () => {
  const webhooks = webhooksOf('WOOSHPAY');
  const secret = 'whsec_current';
  const oldSecret = 'whsec_previous';
  const body = Buffer.from(
    JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'charge.refund.updated',
      data: { object: { id: 're_1787731200000000001', object: 'refund', status: 'succeeded' } },
    }),
  );
  const header = (t: number, ...signatures: string[]) => ({
    'content-type': 'application/json',
    'wooshpay-signature': [`t=${t}`, ...signatures.map((v1) => `v1=${v1}`)].join(','),
  });
  const verify = (headers: Record<string, string>, secrets = [secret], raw = body, now = NOW) =>
    webhooks.verify(raw, headers, secrets, now, TOLERANCE_S);

  it('accepts a good signature and takes only the refund id from the event', () => {
    expect(verify(header(NOW_S, wooshPaySignature(secret, NOW_S, body)))).toEqual({
      ok: true,
      event: { eventId: 'evt_1', providerRefundId: 're_1787731200000000001', lookup: null },
    });
  });

  it('refuses a missing header, a header without v1 and a wrong signature', () => {
    expect(verify({})).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verify({ 'wooshpay-signature': `t=${NOW_S}` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(header(NOW_S, wooshPaySignature('whsec_other', NOW_S, body)))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify(header(NOW_S, 'zz'))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made for another timestamp', () => {
    expect(verify(header(NOW_S, wooshPaySignature(secret, NOW_S - 1, body)))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('accepts any configured secret during a rotation, and any of several v1 values', () => {
    const signedWithOld = header(NOW_S, wooshPaySignature(oldSecret, NOW_S, body));
    expect(verify(signedWithOld, [secret])).toMatchObject({ ok: false });
    expect(verify(signedWithOld, [secret, oldSecret])).toMatchObject({ ok: true });
    const several = header(NOW_S, 'ab'.repeat(32), wooshPaySignature(secret, NOW_S, body), 'cd'.repeat(32));
    expect(verify(several)).toMatchObject({ ok: true });
  });

  it('refuses a tampered body', () => {
    const signed = header(NOW_S, wooshPaySignature(secret, NOW_S, body));
    const tampered = Buffer.from(body.toString().replace('evt_1', 'evt_2'));
    expect(verify(signed, [secret], tampered)).toEqual({ ok: false, reason: 'bad_signature' });
    // A byte the JSON parser would not mind (a trailing space) still fails: the raw bytes are signed.
    expect(verify(signed, [secret], Buffer.concat([body, Buffer.from(' ')]))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('applies the tolerance in both directions', () => {
    const at = (t: number) => header(t, wooshPaySignature(secret, t, body));
    expect(verify(at(NOW_S - TOLERANCE_S))).toMatchObject({ ok: true });
    expect(verify(at(NOW_S + TOLERANCE_S))).toMatchObject({ ok: true });
    expect(verify(at(NOW_S - TOLERANCE_S - 1))).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify(at(NOW_S + TOLERANCE_S + 1))).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses a signed event whose refund id is not a WooshPay refund id, and ignores other events', () => {
    const signedBody = (value: object) => {
      const raw = Buffer.from(JSON.stringify(value));
      return verify(header(NOW_S, wooshPaySignature(secret, NOW_S, raw)), [secret], raw);
    };
    expect(
      signedBody({ id: 'evt_3', type: 'charge.refund.updated', data: { object: { id: '../../v1/charges' } } }),
    ).toEqual({ ok: false, reason: 'malformed_event' });
    expect(signedBody({ id: 'evt_4', type: 'charge.succeeded', data: { object: { id: 'ch_1' } } })).toEqual({
      ok: true,
      event: { eventId: 'evt_4', providerRefundId: null, lookup: null },
    });
  });
});

describe('efundpay signatures', () => {
  const webhooks = webhooksOf('EFUNDPAY');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const body = Buffer.from(
    JSON.stringify({
      ll_transaction_id: 'LL1001',
      merchant_transaction_id: 'refund-ext-1001',
      original_transaction_id: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
      refund_data: { refund_status: 'RS', refund_amount: 1299, refund_currency_code: 'EUR' },
    }),
  );
  const headers = (instant: Date, key = privateKey, timeZone = 'Asia/Shanghai', raw = body) => ({
    'content-type': 'application/json',
    timestamp: formatEfundpayTimestamp(instant.getTime(), timeZone),
    timezone: timeZone,
    signature: sign('sha256', raw, key).toString('base64'),
  });
  const verify = (given: Record<string, string>, raw = body) =>
    webhooks.verify(raw, given, [publicPem], NOW, TOLERANCE_S);

  it('accepts a good signature and maps the body to a lookup', () => {
    expect(verify(headers(NOW))).toEqual({
      ok: true,
      event: {
        eventId: 'LL1001:RS',
        providerRefundId: null,
        lookup: {
          externalIdentifier: 'refund-ext-1001',
          transactionId: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
          refundStatus: 'RS',
        },
      },
    });
    expect(webhooks.acceptedAnswer).toEqual({ status: 200, body: '{"code":"200","message":"SUCCESS"}' });
  });

  it('refuses a missing signature, another key and a tampered body', () => {
    const unsigned: Record<string, string> = { ...headers(NOW) };
    delete unsigned.signature;
    expect(verify(unsigned)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verify(headers(NOW, other.privateKey))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ ...headers(NOW), signature: 'not base64!' })).toEqual({ ok: false, reason: 'bad_signature' });
    const tampered = Buffer.from(body.toString().replace('RS', 'RF'));
    expect(verify(headers(NOW), tampered)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('reads the timestamp in the timezone header and applies the tolerance both ways', () => {
    const shifted = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(verify(headers(NOW, privateKey, 'America/New_York'))).toMatchObject({ ok: true });
    expect(verify(headers(shifted(-TOLERANCE_S)))).toMatchObject({ ok: true });
    expect(verify(headers(shifted(TOLERANCE_S)))).toMatchObject({ ok: true });
    expect(verify(headers(shifted(-TOLERANCE_S - 1)))).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify(headers(shifted(TOLERANCE_S + 1)))).toEqual({ ok: false, reason: 'stale_timestamp' });
    // The Shanghai wall clock read as if it were UTC is eight hours off: stale.
    expect(verify({ ...headers(NOW), timezone: 'UTC' })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ ...headers(NOW), timezone: 'Not/AZone' })).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(verify({ ...headers(NOW), timestamp: '2026-03-01 12:00' })).toEqual({ ok: false, reason: 'bad_timestamp' });
  });

  it('parses wall-clock times across a daylight-saving change', () => {
    expect(parseEfundpayTimestamp('20240117193352', 'Asia/Shanghai')?.toISOString()).toBe('2024-01-17T11:33:52.000Z');
    expect(parseEfundpayTimestamp('20240310033000', 'America/New_York')?.toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    );
    expect(parseEfundpayTimestamp('20240231120000', 'UTC')).toBeNull();
  });
});
