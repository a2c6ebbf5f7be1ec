import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import type { CeilingResult } from './ceiling.js';

// What the stage and billing benchmarks share: formatting, progress lines, medians, throwaway
// PostgreSQL databases, child processes that answer one JSON line, and the ingestion ceiling.

export const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
export const rate = (perSecond: number) => `${fmt(perSecond)}/s`;

// The load average shows when something else shares the machine (the figures are then lower bounds).
export const progress = (message: string) =>
  console.error(
    `[${new Date().toISOString().slice(11, 19)} load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}] ${message}`,
  );

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Fresh databases on the PostgreSQL server for one run, dropped afterwards whatever happens. */
export async function withDatabases<T>(
  adminUrl: string,
  count: number,
  work: (urls: string[]) => Promise<T>,
): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const prefix = `mb_bench_${randomBytes(4).toString('hex')}`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}_${i}`);
  for (const name of names) await admin.query(`create database ${name}`);
  try {
    return await work(names.map((name) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString()));
  } finally {
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** Runs a compiled bench script (beside this file) in its own process; its last stdout line is the JSON result. */
export async function nodeScript<T>(
  script: string,
  scriptArgs: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<T> {
  const path = new URL(script, import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [path, ...scriptArgs], {
    maxBuffer: 16 * 1024 * 1024,
    // A process that outlives its bound is killed, and the benchmark fails with its stderr.
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const }),
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as T;
}

/** The ingestion ceiling exactly as bench:ingest measures it: its own process, its own events, best of unnest and COPY. */
export async function ceilingPerSecond(
  store: string,
  targets: [string, string],
  events: number,
  batch: number,
  seed: string,
): Promise<number> {
  const result = await nodeScript<CeilingResult>('./ceiling-process.js', [
    '--store',
    store,
    '--targets',
    targets.join(','),
    '--events',
    String(events),
    '--batch',
    String(batch),
    '--seed',
    seed,
  ]);
  return Math.max(result.unnestPerSecond, result.copyPerSecond);
}
