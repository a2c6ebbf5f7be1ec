import type { FastifyRequest, RouteOptions } from 'fastify';
import { roleAllows, type Access, type ApiKeyIdentity, type Permission } from '../modules/access/index.js';
import { ForbiddenError, UnauthenticatedError } from '../platform/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyIdentity;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

// The hooks requirePermission made, so that checkAuthenticatesFirst can find them on a route.
const AUTHENTICATION_HOOKS = new WeakSet<object>();

/**
 * An onRequest hook that admits only requests whose bearer key grants `permission`. It must be an
 * onRequest hook: only then does an unauthenticated request get its 401 before its body, parameters or
 * content type are looked at (and answered with a 400 or 415 that tells a stranger about the route).
 */
export function requirePermission(access: Access, permission: Permission) {
  const hook = async (request: FastifyRequest): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const identity = await access.authenticate(match[1] as string);
    if (!identity) throw new UnauthenticatedError('the API key is unknown or revoked');
    if (!roleAllows(identity.role, permission)) {
      throw new ForbiddenError(
        `API key ${identity.id} has role "${identity.role}", which does not grant "${permission}"`,
      );
    }
    request.apiKey = identity;
  };
  AUTHENTICATION_HOOKS.add(hook);
  return hook;
}

const hooksOf = (value: unknown): unknown[] => [value].flat().filter((hook) => hook !== undefined);
const isAuthentication = (hook: unknown): boolean => typeof hook === 'function' && AUTHENTICATION_HOOKS.has(hook);

/**
 * An onRoute check, run as each route is registered: a route whose schema declares `security` (so the
 * published contract says it needs a key) authenticates in onRequest, and only there. A route that gets
 * this wrong fails at startup, not in production.
 */
export function checkAuthenticatesFirst(route: RouteOptions): void {
  const security = (route.schema as { security?: unknown[] } | undefined)?.security ?? [];
  const early = hooksOf(route.onRequest).some(isAuthentication);
  const late = ['preParsing', 'preValidation', 'preHandler'].some((name) =>
    hooksOf(route[name as keyof RouteOptions]).some(isAuthentication),
  );
  const where = `${[route.method].flat().join(',')} ${route.url}`;
  if (late) throw new Error(`route ${where} authenticates after onRequest; use onRequest: requirePermission(...)`);
  if (security.length > 0 && !early)
    throw new Error(`route ${where} declares security but does not authenticate in onRequest`);
  if (security.length === 0 && early)
    throw new Error(`route ${where} authenticates but its schema declares no security`);
}
