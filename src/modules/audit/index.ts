export { listAudit, recordAudit, type AuditEntry, type AuditRecord } from './audit-log.js';
