import { maxHeaderSize, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../platform/logger.js';
import { PROBLEM_CONTENT_TYPE, TITLES, toClientErrorProblem } from './problem.js';

// Node's HTTP parser refuses some requests before Fastify sees them (headers over the size limit, a
// malformed request line or header, a timeout) and answers them through `clientError`. Written here
// as the same problem documents every other error is, on a connection that is then closed.

/** Fastify's `clientErrorHandler`: a minimal problem+json response, then the socket is closed. */
export function problemClientErrorHandler(logger: Logger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody to answer. A response already under way cannot take another
    // (Node keeps the response being written as `_httpMessage`, and refuses the same way itself).
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const body = toClientErrorProblem(error, maxHeaderSize);
    const json = JSON.stringify(body);
    logger.debug({ code: error.code, status: body.status }, 'refused a malformed request');
    socket.end(
      `HTTP/1.1 ${body.status} ${TITLES[body.status] ?? 'Error'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  };
}
