/**
 * createRefund input validation, a pure function: a bad input is an InvalidInputError
 * (BAD_USER_INPUT) whose message names the field and quotes what was received; a good one comes
 * back normalised, so the same refund written two ways is one command.
 */
import { describe, expect, it } from 'vitest';
import type { CreateRefundInput } from '../../src/__generated__/schema-types.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import {
  MAX_METADATA_ENTRIES,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_VALUE_LENGTH,
  MAX_NOTE_LENGTH,
  validateCreateRefundInput,
} from '../../src/refunds/create/validate-input.js';

const TRANSACTION = '21e7e301-81e7-4e5a-9928-d35624e5aefc';

const wooshPay = (change: Partial<CreateRefundInput> = {}): CreateRefundInput => ({
  provider: 'WOOSHPAY',
  paymentId: 'pi_1787730900000000001',
  amount: { minorUnits: 1200, currencyCode: 'USD' },
  reason: 'REQUESTED_BY_CUSTOMER',
  idempotencyKey: 'order-77-refund-1',
  ...change,
});

const efundpay = (change: Partial<CreateRefundInput> = {}): CreateRefundInput => ({
  provider: 'EFUNDPAY',
  paymentId: TRANSACTION,
  amount: { minorUnits: 500, currencyCode: 'EUR' },
  reason: 'DUPLICATE',
  idempotencyKey: 'order-78-refund-1',
  ...change,
});

/** The message of the InvalidInputError `input` is refused with; fails when it is accepted. */
function refusal(input: CreateRefundInput): string {
  try {
    validateCreateRefundInput(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('BAD_USER_INPUT');
    return (error as Error).message;
  }
  throw new Error(`Expected ${JSON.stringify(input).slice(0, 200)} to be refused, it was accepted`);
}

const entries = (count: number) => Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: 'v' }));

describe('validateCreateRefundInput: normalising', () => {
  it('upper-cases the currency, sorts metadata by key and keeps the rest as given', () => {
    expect(
      validateCreateRefundInput(
        wooshPay({
          amount: { minorUnits: 1200, currencyCode: 'usd' },
          note: 'Damaged parcel',
          metadata: [
            { key: 'order', value: 'A-77' },
            { key: 'agent', value: 'jdoe' },
          ],
        }),
      ),
    ).toEqual({
      provider: 'WOOSHPAY',
      paymentId: 'pi_1787730900000000001',
      amount: { minorUnits: 1200, currencyCode: 'USD' },
      reason: 'REQUESTED_BY_CUSTOMER',
      note: 'Damaged parcel',
      metadata: [
        { key: 'agent', value: 'jdoe' },
        { key: 'order', value: 'A-77' },
      ],
    });
  });

  it('reads a missing, null or blank note as none, and missing metadata as empty', () => {
    for (const note of [undefined, null, '', '   \t\n']) {
      const command = validateCreateRefundInput(wooshPay({ note }));
      expect(command.note, JSON.stringify(note)).toBeNull();
      expect(command.metadata).toEqual([]);
    }
  });

  it('canonicalises an efundpay transaction id to lower case', () => {
    expect(validateCreateRefundInput(efundpay({ paymentId: TRANSACTION.toUpperCase() })).paymentId).toBe(TRANSACTION);
  });

  it('lets WooshPay refund what remains (no amount), but not efundpay', () => {
    expect(validateCreateRefundInput(wooshPay({ amount: null })).amount).toBeNull();
    expect(validateCreateRefundInput(wooshPay({ amount: undefined })).amount).toBeNull();
    expect(refusal(efundpay({ amount: null }))).toBe(
      'Invalid input.amount: EFUNDPAY cannot refund "what remains": give the amount to refund',
    );
  });

  it('accepts every limit exactly at its bound', () => {
    const command = validateCreateRefundInput(
      wooshPay({
        idempotencyKey: 'k'.repeat(255),
        note: 'n'.repeat(MAX_NOTE_LENGTH),
        amount: { minorUnits: Number.MAX_SAFE_INTEGER, currencyCode: 'JPY' },
        metadata: [
          ...entries(MAX_METADATA_ENTRIES - 1),
          { key: 'x'.repeat(MAX_METADATA_KEY_LENGTH), value: 'v'.repeat(MAX_METADATA_VALUE_LENGTH) },
        ],
      }),
    );
    expect(command.metadata).toHaveLength(MAX_METADATA_ENTRIES);
    expect(validateCreateRefundInput(wooshPay({ idempotencyKey: 'a:b.c_d-e' })).provider).toBe('WOOSHPAY');
  });
});

describe('validateCreateRefundInput: refusing', () => {
  it.each([
    [
      { idempotencyKey: 'short' },
      'Invalid input.idempotencyKey: expected 8 to 255 characters of A-Z a-z 0-9 _ - : . , received "short"',
    ],
    [{ idempotencyKey: 'k'.repeat(256) }, 'Invalid input.idempotencyKey: expected 8 to 255 characters'],
    [{ idempotencyKey: 'has spaces in it' }, 'Invalid input.idempotencyKey:'],
    [
      { paymentId: 're_notapayment' },
      'Invalid input.paymentId: expected "pi_" followed by 1 to 100 letters or digits (a PaymentIntent id) for WOOSHPAY, received "re_notapayment"',
    ],
    [{ paymentId: 'pi_../../v1/charges' }, 'Invalid input.paymentId:'],
    [
      { amount: { minorUnits: 0, currencyCode: 'USD' } },
      'Invalid input.amount.minorUnits: expected a positive whole number of minor units, received 0',
    ],
    [{ amount: { minorUnits: -5, currencyCode: 'USD' } }, 'Invalid input.amount.minorUnits:'],
    [{ amount: { minorUnits: 1.5, currencyCode: 'USD' } }, 'Invalid input.amount.minorUnits:'],
    [{ amount: { minorUnits: Number.MAX_SAFE_INTEGER + 1, currencyCode: 'USD' } }, 'Invalid input.amount.minorUnits:'],
    [
      { amount: { minorUnits: 100, currencyCode: 'XYZ' } },
      'Invalid input.amount.currencyCode: expected an ISO 4217 code such as USD, received "XYZ"',
    ],
    [{ amount: { minorUnits: 100, currencyCode: 'US' } }, 'Invalid input.amount.currencyCode:'],
    [{ amount: { minorUnits: 100, currencyCode: 'US1' } }, 'Invalid input.amount.currencyCode:'],
    [
      { note: 'x'.repeat(MAX_NOTE_LENGTH + 1) },
      `Invalid input.note: expected at most ${MAX_NOTE_LENGTH} characters, received ${MAX_NOTE_LENGTH + 1}`,
    ],
    [
      { metadata: entries(MAX_METADATA_ENTRIES + 1) },
      `Invalid input.metadata: expected at most ${MAX_METADATA_ENTRIES} entries, received ${MAX_METADATA_ENTRIES + 1}`,
    ],
    [{ metadata: [{ key: '', value: 'v' }] }, 'Invalid input.metadata[0].key: expected 1 to 40 characters, received 0'],
    [
      {
        metadata: [
          { key: 'k', value: 'v' },
          { key: 'k'.repeat(MAX_METADATA_KEY_LENGTH + 1), value: 'v' },
        ],
      },
      `Invalid input.metadata[1].key: expected 1 to ${MAX_METADATA_KEY_LENGTH} characters, received ${MAX_METADATA_KEY_LENGTH + 1}`,
    ],
    [
      { metadata: [{ key: 'k', value: 'v'.repeat(MAX_METADATA_VALUE_LENGTH + 1) }] },
      `Invalid input.metadata[0].value: expected at most ${MAX_METADATA_VALUE_LENGTH} characters, received ${MAX_METADATA_VALUE_LENGTH + 1}`,
    ],
    [
      {
        metadata: [
          { key: 'order', value: '1' },
          { key: 'order', value: '2' },
        ],
      },
      'Invalid input.metadata[1].key: "order" appears more than once',
    ],
  ] as Array<[Partial<CreateRefundInput>, string]>)('refuses WooshPay input %j', (change, message) => {
    expect(refusal(wooshPay(change))).toContain(message);
  });

  it("refuses a payment id in the other provider's format", () => {
    expect(refusal(efundpay({ paymentId: 'pi_1787730900000000001' }))).toBe(
      'Invalid input.paymentId: expected a transaction UUID such as 21e7e301-81e7-4e5a-9928-d35624e5aefc for EFUNDPAY, received "pi_1787730900000000001"',
    );
    expect(refusal(wooshPay({ paymentId: TRANSACTION }))).toContain('for WOOSHPAY');
  });

  it('refuses metadata for efundpay, which does not store any', () => {
    expect(refusal(efundpay({ metadata: [{ key: 'order', value: 'A-1' }] }))).toBe(
      'Invalid input.metadata: EFUNDPAY does not store metadata with a refund; leave it out',
    );
    expect(validateCreateRefundInput(efundpay({ metadata: [] })).metadata).toEqual([]);
  });

  it('quotes hostile input escaped and cut short', () => {
    const message = refusal(wooshPay({ idempotencyKey: `bad\u202ekey${'x'.repeat(200)}` }));
    expect(message).toContain('\\u202E');
    expect(message).not.toContain('\u202e');
    expect(message).toContain('(207 characters)');
  });
});
