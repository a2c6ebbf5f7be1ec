import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout; secrets (API keys, authorization headers) are redacted at the source.
 * Written synchronously: nothing logs per request, and a line written before another is then read
 * before it, and none is lost when the process exits.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino(
    {
      level,
      redact: { paths: ['req.headers.authorization', '*.apiKey', '*.key'], censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
