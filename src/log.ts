/** Structured logging (pino). Message text, phone numbers, secrets and tokens are never logged. */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that must never reach a log line even if someone passes a whole object. */
const REDACT = [
  'secret',
  'password',
  'token',
  'authorization',
  'text',
  'body',
  'payload',
  'data',
  'activity',
  'card',
  '*.secret',
  '*.password',
  '*.token',
  '*.authorization',
  '*.text',
  '*.body',
  '*.payload',
  '*.data',
  '*.activity',
  'headers.authorization',
  'headers["x-signature"]',
  '*.headers.authorization',
  '*.headers["x-signature"]',
];

/** Creates the process logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'klink-teams' } }, destination);
}
