/**
 * Parsers for environment variables, shared by the shared configuration (src/config.ts) and each
 * provider's own settings. Each one reads a raw value and either returns it typed or pushes a
 * message that says what was wrong, what was received and how to fix it.
 */
import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

export const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max}, received ${JSON.stringify(raw)}; unset it for the default ${fallback}`,
        });
        return z.NEVER;
      }
      return value;
    });

/** A whole number from `min` to `max`, or null when unset; `whenUnset` says what unset means (e.g. "adaptive concurrency"). */
export const optionalInteger = (name: string, min: number, max: number, whenUnset: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return null;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max}, received ${JSON.stringify(raw)}; unset it for ${whenUnset}`,
        });
        return z.NEVER;
      }
      return value;
    });

export const boolean = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = raw.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, received ${JSON.stringify(raw)}` });
      return z.NEVER;
    });

/** A provider's request budget (`<PROVIDER>_MAX_REQUESTS_PER_S`): a positive whole number, or null when unset. */
export const requestsPerSecond = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return null;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1 || value > 100_000) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number of requests per second from 1 to 100000, received ${JSON.stringify(raw)}; unset it for no budget`,
        });
        return z.NEVER;
      }
      return value;
    });

/** The most a provider's adaptive concurrency limit may reach when `<PROVIDER>_MAX_CONCURRENCY` is unset. */
export const DEFAULT_MAX_CONCURRENCY = 256;

/**
 * A provider's bound on its requests in flight (`<PROVIDER>_MAX_CONCURRENCY`): a whole number from 1
 * to 4096, DEFAULT_MAX_CONCURRENCY when unset. The limit adapts below it (src/providers/http/concurrency-limit.ts).
 */
export const maxConcurrency = (name: string) => integer(name, DEFAULT_MAX_CONCURRENCY, 1, 4096);

/** Trimmed text, or null when unset or blank. */
export const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? null : raw.trim()));

/** A plain http(s) URL with no credentials, query or fragment; the trailing slash removed. */
export const baseUrl = (name: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an absolute http(s) URL such as ${fallback}, received ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a plain http(s) URL with no credentials, query or fragment, such as ${fallback}`,
        });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });

/**
 * Parses `env` with `schema`; on failure pushes every issue's message to `problems` and returns
 * null, so one run reports every bad setting at once.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env, problems: string[]): z.infer<T> | null {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  problems.push(...parsed.error.issues.map((issue) => issue.message));
  return null;
}

/** An optional absolute http(s) URL (a query allowed); null when unset or blank. */
export const optionalUrl = (name: string, example: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return null;
      const value = raw.trim();
      if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an absolute http(s) URL such as ${example}, received ${JSON.stringify(value.slice(0, 80))}`,
        });
        return z.NEVER;
      }
      return value;
    });
