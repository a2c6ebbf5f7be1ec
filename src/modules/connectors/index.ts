// The connectors module's one public door.
export {
  TARGET_KINDS,
  POSTING_MODES,
  DeliveryFailure,
  type TargetKind,
  type PostingMode,
  type TargetLimits,
  type TargetDefinition,
  type LedgerPlace,
  type LineReference,
  type JournalLine,
  type JournalEntry,
  type ErpDocumentLine,
  type ErpDocument,
  type PostingBody,
  type FailureClass,
  type FailureDetail,
  type TargetDocument,
  type Connector,
  type SecretResolver,
  type ConnectorKind,
} from './connector.js';
export { DEFAULT_TARGET_LIMITS, TARGET_KIND_SPECS, targetKindSpec, type TargetKindSpec } from './target-kinds.js';
export { createConnector } from './registry.js';
