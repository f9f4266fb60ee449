/**
 * Structured JSON logs (pino). Redaction is the last line of defence: credentials are never put
 * into log fields on purpose, and these paths catch them if they ever are.
 */
import { pino, type Logger } from 'pino';
import type { AppConfig } from '../config.js';

export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["router-authorization"]',
  'headers["router-authorization"]',
  '*.authorization',
  'secretKey',
  '*.secretKey',
  'apiKey',
  '*.apiKey',
  'privateKeyPem',
  '*.privateKeyPem',
  'routerSecret',
  '*.routerSecret',
  'token',
  '*.token',
];

export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'refunds-subgraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
