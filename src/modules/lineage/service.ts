import { queryPath } from '../../platform/paging.js';
import { documentLineage } from './document-lineage.js';
import { eventLineage } from './event-lineage.js';
import type { Lineage, LineageRequest } from './lineage.js';
import { createReader, type LineageSources } from './lineage-reader.js';
import { lineLineage } from './line-lineage.js';

export interface LineageService {
  /**
   * Follows one lookup through the stages; a LineageNotFoundError (naming what was looked up, at
   * `pathOf` of the parameters it came from) when its starting point does not exist.
   */
  lookup(request: LineageRequest, pathOf?: (name: string) => string): Promise<Lineage>;
}

export type LineageDependencies = LineageSources;

/** Lineage reads only: each lookup reads other modules through their doors, and writes nothing. */
export function createLineage(sources: LineageDependencies): LineageService {
  return {
    lookup(request, pathOf = queryPath) {
      const reader = createReader(sources);
      switch (request.lookup) {
        case 'event':
          return eventLineage(reader, request, pathOf);
        case 'document':
          return documentLineage(reader, request, pathOf);
        case 'line':
          return lineLineage(reader, request, pathOf);
      }
    },
  };
}
