import type { FastifyRequest } from 'fastify';
import { roleAllows, type Access, type ApiKeyIdentity, type Permission } from '../modules/access/index.js';
import { ForbiddenError, UnauthenticatedError } from '../platform/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyIdentity;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** A preHandler that admits only requests whose bearer key grants `permission`. */
export function requirePermission(access: Access, permission: Permission) {
  return async (request: FastifyRequest): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const identity = await access.authenticate(match[1] as string);
    if (!identity) throw new UnauthenticatedError('the API key is unknown or revoked');
    if (!roleAllows(identity.role, permission)) {
      throw new ForbiddenError(`API key ${identity.id} has role "${identity.role}", which does not grant "${permission}"`);
    }
    request.apiKey = identity;
  };
}
