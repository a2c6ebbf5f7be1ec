import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; secrets (API keys, authorization headers) are redacted at the source. */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', '*.apiKey', '*.key'], censor: '[redacted]' },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
