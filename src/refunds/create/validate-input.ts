/**
 * Validation of `createRefund` input, before anything else happens: a bad input is BAD_USER_INPUT
 * naming the field, and no provider is called. The result is normalised (canonical payment id,
 * upper-case currency, metadata sorted by key, blank note as none), so the same refund written two
 * ways has one fingerprint.
 */
import type { CreateRefundInput } from '../../__generated__/schema-types.js';
import { InvalidInputError, quoteInput } from '../../domain/errors.js';
import { createMoney, UnknownCurrencyError } from '../../domain/money.js';
import type { CreateRefundCommand } from '../../domain/refund-creation.js';
import { providerDefinition } from '../../providers/ids.js';

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,255}$/;
export const MAX_NOTE_LENGTH = 255;
export const MAX_METADATA_ENTRIES = 50;
export const MAX_METADATA_KEY_LENGTH = 40;
export const MAX_METADATA_VALUE_LENGTH = 500;

const invalid = (field: string, message: string) => new InvalidInputError(`Invalid ${field}: ${message}`);

export function validateCreateRefundInput(input: CreateRefundInput): CreateRefundCommand {
  const definition = providerDefinition(input.provider);
  const rules = definition.payments;
  if (!IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey)) {
    throw invalid(
      'input.idempotencyKey',
      `expected 8 to 255 characters of A-Z a-z 0-9 _ - : . , received ${quoteInput(input.idempotencyKey)}`,
    );
  }
  if (!rules.idPattern.test(input.paymentId)) {
    throw invalid(
      'input.paymentId',
      `expected ${rules.idFormat} for ${definition.name}, received ${quoteInput(input.paymentId)}`,
    );
  }
  const amount = validAmount(input.amount, definition);
  const note = input.note === null || input.note === undefined || input.note.trim() === '' ? null : input.note;
  if (note !== null && note.length > MAX_NOTE_LENGTH) {
    throw invalid('input.note', `expected at most ${MAX_NOTE_LENGTH} characters, received ${note.length}`);
  }
  return {
    provider: definition.name,
    paymentId: rules.canonicalId(input.paymentId),
    amount,
    reason: input.reason,
    note,
    metadata: validMetadata(input.metadata ?? [], definition),
  };
}

type Definition = ReturnType<typeof providerDefinition>;

function validAmount(given: CreateRefundInput['amount'], definition: Definition): CreateRefundCommand['amount'] {
  if (given === null || given === undefined) {
    if (definition.payments.amountRequired) {
      throw invalid('input.amount', `${definition.name} cannot refund "what remains": give the amount to refund`);
    }
    return null;
  }
  const { minorUnits, currencyCode } = given;
  if (!Number.isSafeInteger(minorUnits) || minorUnits < 1) {
    throw invalid('input.amount.minorUnits', `expected a positive whole number of minor units, received ${minorUnits}`);
  }
  const badCurrency = () =>
    invalid('input.amount.currencyCode', `expected an ISO 4217 code such as USD, received ${quoteInput(currencyCode)}`);
  if (!/^[A-Za-z]{3}$/.test(currencyCode)) throw badCurrency();
  try {
    return createMoney(minorUnits, currencyCode);
  } catch (error) {
    if (!(error instanceof UnknownCurrencyError)) throw error;
    throw badCurrency();
  }
}

/** The entries checked one by one, then sorted by key so the same metadata written in any order has one fingerprint. */
function validMetadata(
  metadata: NonNullable<CreateRefundInput['metadata']>,
  definition: Definition,
): CreateRefundCommand['metadata'] {
  if (metadata.length > 0 && !definition.payments.metadataSupported) {
    throw invalid('input.metadata', `${definition.name} does not store metadata with a refund; leave it out`);
  }
  if (metadata.length > MAX_METADATA_ENTRIES) {
    throw invalid('input.metadata', `expected at most ${MAX_METADATA_ENTRIES} entries, received ${metadata.length}`);
  }
  const seen = new Set<string>();
  metadata.forEach((entry, index) => {
    if (entry.key.length < 1 || entry.key.length > MAX_METADATA_KEY_LENGTH) {
      throw invalid(
        `input.metadata[${index}].key`,
        `expected 1 to ${MAX_METADATA_KEY_LENGTH} characters, received ${entry.key.length}`,
      );
    }
    if (entry.value.length > MAX_METADATA_VALUE_LENGTH) {
      throw invalid(
        `input.metadata[${index}].value`,
        `expected at most ${MAX_METADATA_VALUE_LENGTH} characters, received ${entry.value.length}`,
      );
    }
    if (seen.has(entry.key)) {
      throw invalid(`input.metadata[${index}].key`, `${quoteInput(entry.key)} appears more than once`);
    }
    seen.add(entry.key);
  });
  return [...metadata]
    .map(({ key, value }) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
