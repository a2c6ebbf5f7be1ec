import { spawnBin, type Child } from './run-bin.js';

const LISTENING = /Meterbridge listening on (http:\/\/\S+:(\d+)) /;

/** A `meterbridge serve` child process that has printed its listening line. */
export class ServeProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url = '';
  port = 0;

  constructor(
    readonly child: Child,
    /** Shared servers live for a describe block; the others are killed after each test. */
    readonly shared: boolean,
  ) {
    child.stdout.on('data', (chunk: string) => (this.out += chunk));
    child.stderr.on('data', (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolvePromise) =>
      child.once('close', (code, signal) => resolvePromise({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until stdout or stderr matches `pattern`; fails (killing the process) if it exits or times out first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.out) ?? pattern.exec(this.err);
      if (match) return match;
      if (!this.running || Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(
          `serve never printed ${pattern} (${this.running ? `timeout ${timeoutMs} ms` : `exit ${this.child.exitCode}`})\nstdout: ${this.out}\nstderr: ${this.err}`,
        );
      }
      await new Promise((wake) => setTimeout(wake, 25));
    }
  }

  async waitUntilListening(timeoutMs: number): Promise<void> {
    const match = await this.waitFor(LISTENING, timeoutMs);
    this.url = match[1] as string;
    this.port = Number(match[2]);
  }

  /** Sends `signal` and waits for the exit; past `timeoutMs` the process is killed and the stop fails. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = performance.now();
    if (this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(
          new Error(`serve did not stop within ${timeoutMs} ms of ${signal}\nstdout: ${this.out}\nstderr: ${this.err}`),
        );
      }, timeoutMs);
    });
    try {
      const exit = await Promise.race([this.exited, timeout]);
      return { ...exit, ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request to the server; `key` is sent as a bearer token, `null` sends none. */
  request(path: string, options: { key: string | null; method?: string; json?: unknown }): Promise<Response> {
    const headers = new Headers();
    if (options.key !== null) headers.set('authorization', `Bearer ${options.key}`);
    if (options.json !== undefined) headers.set('content-type', 'application/json');
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    return fetch(`${this.url}${path}`, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
  }
}

const servers = new Set<ServeProcess>();

/** Spawns `meterbridge serve ...args` without waiting for it. */
export function spawnServe(
  args: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean } = {},
): ServeProcess {
  const server = new ServeProcess(spawnBin(['serve', ...args], options.env), options.shared ?? false);
  servers.add(server);
  return server;
}

/** Starts `meterbridge serve ...args` and waits for the `listening on http://...` line. */
export async function startServer(
  args: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const server = spawnServe(args, options);
  await server.waitUntilListening(options.timeoutMs ?? 30_000);
  return server;
}

/** `serve --port 0` on the given store. */
export function serve(
  storeArgs: readonly string[],
  options: { env?: Record<string, string>; shared?: boolean } = {},
): Promise<ServeProcess> {
  return startServer(['--port', '0', ...storeArgs], options);
}

/** Kills the servers `which` selects, waiting for each to exit. */
export async function killServers(which: (server: ServeProcess) => boolean): Promise<void> {
  for (const server of [...servers].filter(which)) {
    servers.delete(server);
    if (server.running) await server.stop('SIGKILL', 5_000).catch(() => undefined);
  }
}
