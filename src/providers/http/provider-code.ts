/**
 * A provider's own error code, kept only when it looks like a code: lower-case letters, digits,
 * `_` and `.` (some providers' codes are dotted paths, e.g. `value_error.currency_mismatch`), at
 * most 64 characters. Free text never reaches a client or a log line this way.
 */
const PROVIDER_CODE = /^[a-z][a-z0-9_.]{0,63}$/;

/** The code as it is when it looks like a code, else undefined. */
export function safeProviderCode(code: string | undefined): string | undefined {
  return code !== undefined && PROVIDER_CODE.test(code) ? code : undefined;
}
