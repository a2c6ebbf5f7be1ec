import type { FastifyInstance } from 'fastify';

/**
 * Registers routes that parse their own bodies: every content type arrives as a Buffer, so the route
 * can answer per event, decode UTF-8 strictly and say precisely which media types it accepts.
 */
export async function registerRawBodyRoutes(
  app: FastifyInstance,
  bodyLimit: number,
  register: (scope: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
    await register(scope);
  });
}

export function bodyBuffer(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}
