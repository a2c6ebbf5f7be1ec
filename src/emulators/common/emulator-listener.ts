import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

// The part of every emulator that lives below HTTP: the listening socket, the open connections, an
// outage in `refuse` mode and closing. Refusing means no listener at all, so clients get ECONNREFUSED
// rather than an answer; the emulator listens again on the same port when the outage ends.

export interface EmulatorListenerOptions {
  now: () => number;
  log: (message: string) => void;
  /** Whether connections already open are cut when an outage starts (default), not only at their next request. */
  cutOpenConnections?: boolean;
}

export interface EmulatorListener {
  port: number;
  /** Whether an outage in `refuse` mode is on now: a request on a connection opened before it is cut. */
  refusing(): boolean;
  /** Stops or resumes listening to match `outage()`; call it whenever the settings or clock change. */
  applyOutage(): void;
  /** Stops listening for good and cuts every open connection. */
  close(): Promise<void>;
}

/**
 * Listens on `host`:`port` (0: any free port) with `server`, whose answers are the emulator's own.
 * `outage` is read at each change: only one in `refuse` mode stops the listener.
 */
export async function openEmulatorListener(
  server: Server,
  host: string,
  port: number,
  outage: () => { mode: string; untilMs: number } | undefined,
  options: EmulatorListenerOptions,
): Promise<EmulatorListener> {
  const { now, log } = options;
  const refusingUntil = () => {
    const current = outage();
    return current?.mode === 'refuse' ? current.untilMs : undefined;
  };
  const refusing = () => (refusingUntil() ?? -Infinity) > now();
  // A TLS server's connections count once their handshake is done, as the requests they can carry.
  const sockets = new Set<Socket>();
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = (wanted: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const bound = await listen(port);

  let closed = false;
  let reopen: NodeJS.Timeout | undefined;
  const applyOutage = () => {
    clearTimeout(reopen);
    if (closed) return;
    const until = refusingUntil();
    if (until !== undefined && until > now()) {
      if (server.listening) server.close();
      if (options.cutOpenConnections ?? true) for (const socket of sockets) socket.destroy();
      // Checked again then rather than trusted: the settings may have changed meanwhile.
      reopen = setTimeout(applyOutage, Math.max(0, until - now()));
    } else if (!server.listening) {
      listen(bound).catch((error: unknown) => log(`cannot listen again on ${bound}: ${String(error)}`));
    }
  };

  return {
    port: bound,
    refusing,
    applyOutage,
    async close() {
      closed = true;
      clearTimeout(reopen);
      await new Promise<void>((resolve) => {
        if (server.listening) server.close(() => resolve());
        else resolve();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Where clients reach an emulator listening on `host`:`port`; an IPv6 address goes in brackets. */
export function listenerUrl(host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
