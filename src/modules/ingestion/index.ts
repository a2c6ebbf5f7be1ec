export type {
  BodyItem,
  Conflict,
  IngestionLimits,
  IngestionObserver,
  IngestResult,
  Outcome,
  Rejection,
  ResolvedSchema,
  SchemaRequest,
  SchemaResolver,
  ValidEvent,
} from './ingestion.js';
export { schemaRequestKey } from './ingestion.js';
export { countRawEventsByTypeInWindows } from './alert-queries.js';
export { createIngestion, type Ingestion, type IngestionDependencies, type IngestOptions } from './service.js';
export { eventMediaType, parseEventsBody, EVENT_MEDIA_TYPES, type EventMediaType } from './body-parser.js';
export { validateEnvelope, MAX_ID_LENGTH } from './envelope.js';
export { createIngestionMetrics } from './ingestion-metrics.js';
export {
  fromLagoEvent,
  toLagoFieldErrors,
  findConflictsInBatch,
  lagoTimestampToRfc3339,
  LAGO_AMOUNT_EXTENSION,
  type LagoEvent,
  type LagoEventMapping,
  type LagoFieldErrors,
  type LagoSubjectField,
} from './lago-event.js';
export {
  readEventFile,
  eventFileFormat,
  EVENT_FILE_FORMATS,
  type EventFileFormat,
  type EventFileBatch,
  type ReadEventFileOptions,
} from './event-file-reader.js';
export { compileCsvHeader, csvRecordToEvent, type CsvHeader, type CsvEventResult } from './csv-event.js';
export {
  readRawEventsAfter,
  readRawEventsBySeq,
  countRawEventsAfter,
  countRawEventsInTimeRange,
  readRawEventsInTimeRange,
  type RawEvent,
  type RawEventCursor,
  type ReadOptions,
  type TimeRangePage,
} from './raw-event-log.js';
export { findRawEventIdentity, type RawEventIdentity } from './raw-event-lookup.js';
