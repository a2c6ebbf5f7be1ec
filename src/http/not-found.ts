import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { problem, sendProblemFor } from './problem.js';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function routeExists(app: FastifyInstance, method: HTTPMethods, path: string): boolean {
  try {
    return app.findRoute({ method, url: path }) !== null;
  } catch {
    // A path the router cannot decode has no route for any method.
    return false;
  }
}

/**
 * No route answers the request: a 405 with `Allow` when the path has routes for other methods (so the
 * client learns it used the wrong method, not the wrong path), otherwise a 404. Neither needs a key.
 */
export function notFoundHandler(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = METHODS.filter((method) => method !== request.method && routeExists(app, method, path));
    if (allowed.length === 0) return sendProblemFor(request, reply, problem(404, `no route ${request.method} ${path}`));
    reply.header('allow', allowed.join(', '));
    return sendProblemFor(
      request,
      reply,
      problem(405, `${request.method} is not allowed on ${path}; it allows ${allowed.join(', ')}`),
    );
  };
}
