export { ROLES, roleAllows, isRole, type Role, type Permission, type ApiKeyIdentity, type CreatedApiKey } from './access.js';
export { createAccess, type Access } from './service.js';
