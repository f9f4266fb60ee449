/**
 * Structured JSON logs (pino). Redaction is the last line of defence: credentials are never put
 * into log fields on purpose, and two layers catch them if they ever are:
 *  1. a walk over every logged object that censors credential-named keys at any depth and in any
 *     letter case (`Authorization`, `x-api-key`, `privateKey`, `databaseUrl`, …);
 *  2. a scrub of the finished line for credential-shaped values wherever they appear, message and
 *     error stacks included: PEM private keys, JWTs, `Basic`/`Bearer` credentials, and the key shapes
 *     each provider declares.
 * (pino's `redact` paths were a third layer; every path they named is a credential-named key the
 * walk censors anyway, and they cost about 3% of a cold read's CPU.)
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { PROVIDERS } from '../providers/registry.js';

export const CENSOR = '[redacted]';

/** The registered providers' secret settings, by name (e.g. a config dump keyed by variable). */
const PROVIDER_SECRET_VARIABLES = PROVIDERS.flatMap((definition) =>
  definition.variables.filter((variable) => variable.secret).map((variable) => variable.name.toLowerCase()),
);

/** Keys whose values are credentials, whatever the nesting and letter case. */
const CREDENTIAL_KEY = new RegExp(
  String.raw`^(?:(?:proxy-|router-)?authori[sz]ation|cookie|set-cookie|x-api-key|api[-_]?key|secret(?:[-_]?key)?|client[-_]?secret|router[-_]?secret|password|passwd|passphrase|(?:access|refresh|id|bearer)?[-_]?token|jwt|private[-_]?key(?:[-_]?pem)?|database[-_]?url|router[-_]?invalidation` +
    PROVIDER_SECRET_VARIABLES.map((name) => `|${name.replace(/[^a-z0-9_]/g, '')}`).join('') +
    ')$',
  'i',
);

/** Credential-shaped text, wherever it appears in a finished (JSON-escaped) log line. */
const CREDENTIAL_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  // A PEM private key, or any fragment from its BEGIN line to the end of the JSON string.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[^"\\]|\\.)*/g, CENSOR],
  // A JWT (header and payload are base64url JSON, so they start with eyJ).
  [/eyJ[A-Za-z0-9_-]*\.(?:eyJ)?[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g, CENSOR],
  // An HTTP credential after its scheme.
  [/\b(Basic|Bearer)(\s+|%20)[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${CENSOR}`],
  // Each provider's own key shapes.
  ...PROVIDERS.flatMap((definition) => definition.credentialPatterns.map((pattern) => [pattern, CENSOR] as const)),
];

const MAX_SCRUB_DEPTH = 8;

/** What CREDENTIAL_KEY said of the keys seen so far (log fields use few names); bounded. */
const keyVerdicts = new Map<string, boolean>();
const MAX_KEY_VERDICTS = 2048;

function isCredentialKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = CREDENTIAL_KEY.test(key);
    if (keyVerdicts.size < MAX_KEY_VERDICTS) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Whether `value` is a plain object or array (what the scrub walks into); Errors, Dates, Buffers… are pino's. */
function isWalked(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Whether a credential-named key with a value is anywhere in what scrubCredentialKeys walks. */
function holdsCredentialKey(value: unknown, depth: number): boolean {
  if (depth > MAX_SCRUB_DEPTH || value === null || typeof value !== 'object' || !isWalked(value)) return false;
  if (Array.isArray(value)) return value.some((item) => holdsCredentialKey(item, depth + 1));
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (isCredentialKey(key) ? field !== undefined && field !== null : holdsCredentialKey(field, depth + 1))
      return true;
  }
  return false;
}

/**
 * Plain objects and arrays with credential-named keys censored, copied; other values as they are.
 * A value with no such key anywhere is returned as it is (most log fields: no copy).
 */
export function scrubCredentialKeys(value: unknown, depth = 0): unknown {
  return holdsCredentialKey(value, depth) ? censoredCopy(value, depth) : value;
}

function censoredCopy(value: unknown, depth: number): unknown {
  if (depth > MAX_SCRUB_DEPTH || value === null || typeof value !== 'object' || !isWalked(value)) return value;
  if (Array.isArray(value)) return value.map((item) => censoredCopy(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = isCredentialKey(key) && field !== undefined && field !== null ? CENSOR : censoredCopy(field, depth + 1);
  }
  return copy;
}

/**
 * One pass that finds whether a line holds anything credential-shaped at all (case-insensitive, so
 * it matches at least what each pattern does): most lines hold none and are left after this one scan.
 */
const ANY_CREDENTIAL_VALUE = new RegExp(CREDENTIAL_VALUES.map(([pattern]) => `(?:${pattern.source})`).join('|'), 'i');

/** Censors credential-shaped text in a finished log line. */
export function scrubCredentialValues(line: string): string {
  if (!ANY_CREDENTIAL_VALUE.test(line)) return line;
  let scrubbed = line;
  for (const [pattern, replacement] of CREDENTIAL_VALUES) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** The settings the logger reads (AppConfig's LOG_LEVEL and LOG_FORMAT). */
export interface LogSettings {
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFormat?: (typeof LOG_FORMATS)[number];
}

export function createLogger(config: LogSettings, destination?: pino.DestinationStream): Logger {
  // Pretty lines for a person at a terminal; the same redaction applies (streamWrite runs first).
  const stream = config.logFormat === 'pretty' ? prettyStream(destination) : (destination ?? bufferedStdout());
  return pino(
    {
      level: config.logLevel,
      base: { service: 'refunds-subgraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubCredentialKeys(object) as Record<string, unknown>,
      },
      hooks: { streamWrite: scrubCredentialValues },
    },
    stream,
  );
}

/** Bytes of log lines gathered before one write to stdout. */
const STDOUT_BUFFER_BYTES = 4096;
/** The longest a log line waits in that buffer. */
const STDOUT_FLUSH_MS = 100;

/**
 * JSON lines to stdout, written synchronously as pino's default destination does, but gathered
 * into writes of about 4 KB: under load one write carries a dozen operation lines instead of one
 * write each (a write to stdout was about 3% of a cold read's CPU). A line waits at most
 * STDOUT_FLUSH_MS; whatever is gathered is written out when the process exits.
 */
function bufferedStdout(): pino.DestinationStream {
  const stdout = pino.destination({
    dest: 1,
    sync: true,
    minLength: STDOUT_BUFFER_BYTES,
    periodicFlush: STDOUT_FLUSH_MS,
  });
  process.once('exit', () => {
    try {
      stdout.flushSync();
    } catch {
      // stdout already closed or destroyed: nothing more can be written.
    }
  });
  return stdout;
}

/** pino-pretty (loaded only when asked for: JSON deployments never load it), to stdout or `destination`. */
function prettyStream(destination?: pino.DestinationStream): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({
    colorize: destination === undefined,
    sync: true,
    ...(destination ? { destination: destination as NodeJS.WritableStream } : {}),
  });
}
