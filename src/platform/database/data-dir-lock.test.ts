import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  let dir: string;
  const pidFile = () => join(dir, 'meterbridge.pid');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mb-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes this process id and removes the file on release', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(pidFile(), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(pidFile())).toBe(false);
  });

  it('refuses a second lock from the same process, and a lock held by a live process', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(`in use by process ${process.pid}`);
    release();
    // The parent of this test process is alive and is not us.
    writeFileSync(pidFile(), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(`in use by process ${process.ppid}`);
  });

  it.each([
    ['a dead process', '999999'],
    ['an empty file', ''],
    ['garbage', 'not a pid'],
    ['pid 0, which would signal our own process group', '0'],
    ['a negative pid', '-1'],
  ])('takes over a lock file naming %s', (_label, content) => {
    writeFileSync(pidFile(), content);
    const release = lockDataDir(dir);
    expect(readFileSync(pidFile(), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('waits out a takeover left half-done by a process that died, once it is old', () => {
    writeFileSync(pidFile(), '999999');
    const takeover = join(dir, 'meterbridge.pid.takeover');
    // A fresh takeover directory means someone else is taking over: we do not remove the file under them.
    mkdirSync(takeover);
    expect(() => lockDataDir(dir)).toThrow(/keeps changing/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(takeover, old, old);
    const release = lockDataDir(dir);
    expect(readFileSync(pidFile(), 'utf8')).toBe(String(process.pid));
    release();
  });
});
