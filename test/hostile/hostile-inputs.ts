import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';
/** Refund ids a hostile client might send, shared by the hostile-input and leak suites. */

export const VALID_W = WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId;
export const VALID_E = EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId;

export const HOSTILE_IDS: ReadonlyArray<readonly [string, string]> = [
  ['path traversal', '../../v1/balance'],
  ['dot-dot', '..'],
  ['encoded dot-dot', '%2e%2e'],
  ['encoded traversal after a valid id', `${VALID_W}%2F..%2F..%2Fv1%2Fbalance`],
  ['traversal after a valid id', `${VALID_W}/../../v1/balance`],
  ['query string', 're_1?expand=x'],
  ['fragment', 're_1#x'],
  ['CR/LF header injection', `${VALID_W}\r\nX-Injected: 1`],
  ['trailing LF', `${VALID_W}\n`],
  ['NUL', `${VALID_W}\u0000`],
  ['encoded NUL', `${VALID_W}%00`],
  ['empty', ''],
  ['10 kB', `re_${'a'.repeat(10_240)}`],
  ['10 kB of garbage', '\u00ff'.repeat(10_240)],
  ['non-ASCII letters', 're_ünïcödé'],
  ['full-width digits', 're_１２３'],
  ['right-to-left override', `re_1\u202e2`],
  ['emoji', 're_😀'],
  ['wrong prefix', 'ch_3KQu4U2eZvKYlo2C02Ndp8xy'],
  ['missing prefix', '1787731200000000001'],
  ['trailing space', `${VALID_W} `],
  ['leading space', ` ${VALID_W}`],
  ['unknown global prefix', `stripe:${VALID_W}`],
  ['global prefix in upper case', `WOOSHPAY:${VALID_W}`],
  ['global id of the other provider', `efundpay:${VALID_W}`],
  ['global id with traversal', 'wooshpay:../../v1/balance'],
  ['empty global id', 'wooshpay:'],
  ['UUID with braces', `{${VALID_E}}`],
  ['UUID without dashes', VALID_E.replaceAll('-', '')],
  ['UUID with traversal', `efundpay:${VALID_E}/..`],
  ['UUID with trailing space', `${VALID_E} `],
];
