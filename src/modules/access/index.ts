export {
  ROLES,
  roleAllows,
  isRole,
  parseApiKeyId,
  type Role,
  type Permission,
  type ApiKeyIdentity,
  type ApiKeySummary,
  type CreatedApiKey,
} from './access.js';
export { createAccess, type Access } from './service.js';
