import type { Command } from 'commander';
import { ValidationError } from '../../platform/errors.js';

// What every `meterbridge emulate <vendor>` command shares: the port, the fault flags (each emulator takes
// the same fault settings and answers them its vendor's way) and stopping on the first signal.

/** Resolves on the first SIGINT or SIGTERM: when an emulator started from the command line should stop. */
export function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function numberFlag(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new ValidationError(`${option} must be a number, got "${text}"`);
  return value;
}

export function portFlag(text: string): number {
  const port = numberFlag(text, '--port');
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ValidationError(`--port must be a port number, got "${text}"`);
  return port;
}

/** Where an emulator listens, the config file it starts from and the seed of its faults. */
export interface EmulatorFlags extends FaultFlags {
  port: string;
  host: string;
  config?: string;
  seed?: string;
}

/** Adds where the emulator listens (its vendor's default port) and the config file it starts from. */
export function withListenOptions(command: Command, defaultPort: string, configHelp: string): Command {
  return command
    .option('--port <n>', 'port to listen on (0 picks a free one)', defaultPort)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', configHelp);
}

export interface FaultFlags {
  concurrency?: string;
  rate?: string;
  latencyMs?: string;
  slowMs?: string;
  errorRate?: string;
  dropAfterCommit?: string;
}

/** The fault settings the flags give, by the settings' names (for the emulator's own parser). */
export function faultFlagValues(flags: FaultFlags): Record<string, number> {
  const given = {
    concurrency: numberFlag(flags.concurrency, '--concurrency'),
    ratePerSecond: numberFlag(flags.rate, '--rate'),
    latencyMs: numberFlag(flags.latencyMs, '--latency-ms'),
    slowMs: numberFlag(flags.slowMs, '--slow-ms'),
    errorRate: numberFlag(flags.errorRate, '--error-rate'),
    dropAfterCommitRate: numberFlag(flags.dropAfterCommit, '--drop-after-commit'),
  };
  return Object.fromEntries(Object.entries(given).filter((entry): entry is [string, number] => entry[1] !== undefined));
}

/** Adds the fault flags every emulator takes; the help names the vendor's own limit and error answers. */
export function withFaultOptions(
  command: Command,
  concurrencyHelp: string,
  errorRateHelp = 'share (0..1) of requests answered with a random 5xx',
): Command {
  return command
    .option('--concurrency <n>', concurrencyHelp)
    .option('--rate <n>', 'requests per second before 429')
    .option('--latency-ms <n>', 'delay before each request is handled')
    .option('--slow-ms <n>', 'delay after a request is handled and before it is answered')
    .option('--error-rate <p>', errorRateHelp)
    .option('--drop-after-commit <p>', 'share (0..1) of writes committed and then answered by a dropped connection')
    .option('--seed <n>', 'seed of the random faults');
}
