import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

// End to end through the published entry point: a real `node bin/meterbridge.js` child process, so
// argument parsing, exit codes, stdout/stderr, signals and the data directory lock are what an
// operator gets. The bin runs dist/, which `npm test` (and whoever runs these tests) builds first.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'meterbridge.js');

/** A scratch directory per test file: the children's cwd, data directories and files. */
export const work = mkdtempSync(join(tmpdir(), 'mb-bin-'));

export type Child = ChildProcessByStdio<null, Readable, Readable>;
const children = new Set<Child>();

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  env?: Record<string, string>;
  /** The child is killed and the run fails past this bound, so a hang fails the test instead of the suite. */
  timeoutMs?: number;
}

/** The test runner's environment without any MB_* setting a developer may have exported. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MB_')));
  return { ...env, ...extra };
}

export function spawnBin(args: readonly string[], env?: Record<string, string>): Child {
  // cwd is a scratch directory, so a forgotten --data-dir never creates ./.meterbridge in the repository.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('close', () => children.delete(child));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Runs `meterbridge ...args` to completion. */
export function runBin(args: readonly string[], options: RunOptions = {}): Promise<BinResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = performance.now();
  const child = spawnBin(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `meterbridge ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}
