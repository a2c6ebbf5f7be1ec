import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver does with one request, by its order of arrival (0-based). */
export type ReceiverAnswer =
  | 'store'
  /** Stores the document, then destroys the connection before answering: the lost answer. */
  | 'store-then-drop'
  /** Keeps the request waiting, unanswered, until `release()`; then stores it and answers. */
  | 'hold'
  | { status: number; body?: string; headers?: Record<string, string> };

export interface ReceivedRequest {
  idempotencyKey: string | undefined;
  signature: string | undefined;
  body: string;
}

/**
 * A real HTTP receiver of signed webhooks on 127.0.0.1, deduplicating on `Idempotency-Key` as the
 * webhook target's docs ask receivers to: `stored` holds one document per key, `requests` every request.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly stored = new Map<string, string>();
  /** How many times each key was stored again (0 for a well-behaved sender through any faults). */
  readonly duplicates = new Map<string, number>();
  answer: (index: number, request: ReceivedRequest) => ReceiverAnswer = () => 'store';
  private server?: Server;
  private readonly held: (() => void)[] = [];

  /** Answers the `count` requests held longest ('hold'). */
  release(count = 1): void {
    for (const answer of this.held.splice(0, count)) answer();
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const received: ReceivedRequest = {
          idempotencyKey: header(request, 'idempotency-key'),
          signature: header(request, 'meterbridge-signature'),
          body,
        };
        const answer = this.answer(this.requests.length, received);
        this.requests.push(received);
        if (answer === 'hold') {
          this.held.push(() => this.store(received, 'store', request, response));
          return;
        }
        if (answer === 'store' || answer === 'store-then-drop') {
          this.store(received, answer, request, response);
          return;
        }
        response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        response.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private store(
    received: ReceivedRequest,
    answer: 'store' | 'store-then-drop',
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const key = received.idempotencyKey ?? '';
    if (this.stored.has(key)) this.duplicates.set(key, (this.duplicates.get(key) ?? 0) + 1);
    else this.stored.set(key, received.body);
    if (answer === 'store-then-drop') {
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: `doc-${key}` }));
  }

  async stop(): Promise<void> {
    this.release(this.held.length);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
