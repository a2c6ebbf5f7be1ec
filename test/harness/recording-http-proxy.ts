import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

// An HTTP proxy that keeps a line per request (method, path, status, when) and the most requests it
// ever held at once, for tests that must say what reached a server from processes they cannot look
// into: which posting was read back, which was sent twice, how many requests were in flight. It passes
// the Host header on unchanged, so a signature over the URL as the client called it (NetSuite TBA)
// still verifies; a client that goes away mid-request takes the upstream request with it, as it
// would without the proxy.

export interface ProxiedRequest {
  method: string;
  path: string;
  /** 0 while unanswered, or when the client or the server went away first. */
  status: number;
  startedAt: number;
  endedAt?: number;
}

export interface RecordingProxy {
  url: string;
  readonly requests: readonly ProxiedRequest[];
  /** The most requests in flight at once. */
  readonly peak: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstreamUrl = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  let inFlight = 0;
  let peak = 0;

  const server = createServer((incoming, outgoing) => {
    const entry: ProxiedRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      status: 0,
      startedAt: Date.now(),
    };
    requests.push(entry);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight -= 1;
      entry.endedAt = Date.now();
    };
    const upstream = request(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: entry.method,
        path: entry.path,
        headers: endToEnd(incoming.headers),
        agent,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        outgoing.writeHead(entry.status, endToEnd(answer.headers));
        answer.pipe(outgoing);
      },
    );
    // The server cut the connection (a dropped answer): the client sees its connection cut too.
    upstream.once('error', () => {
      entry.status = 0;
      outgoing.destroy();
      finish();
    });
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) {
        entry.status = 0;
        upstream.destroy();
      }
      finish();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get peak() {
      return peak;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
