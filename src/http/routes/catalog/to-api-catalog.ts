import {
  CATALOG_KINDS,
  type ApplyCatalogResult,
  type CatalogDiffResult,
  type CatalogKind,
  type CatalogVersion,
} from '../../../modules/catalog/index.js';

export function toApiCurrentCatalog(version: CatalogVersion) {
  return {
    version: version.version,
    appliedAt: version.appliedAt,
    appliedBy: version.appliedBy,
    checksum: version.checksum,
    catalog: version.catalog,
  };
}

export function toApiCatalogVersion(version: CatalogVersion) {
  return { ...toApiCurrentCatalog(version), diff: version.diff };
}

export function toApiAppliedCatalog({ created, version }: ApplyCatalogResult) {
  return {
    created,
    version: version.version,
    appliedAt: version.appliedAt,
    appliedBy: version.appliedBy,
    checksum: version.checksum,
    diff: version.diff,
  };
}

// null rather than an absent field: a client can tell "compared with nothing" without a schema lookup.
export function toApiCatalogDiffResult(result: CatalogDiffResult) {
  return {
    baseVersion: result.baseVersion ?? null,
    changed: result.changed,
    diff: result.diff,
    refusals: result.refusals,
  };
}

/** URL segments are kebab-case; the catalog's own kinds are the document's camelCase keys. */
function toUrlKind(kind: CatalogKind): string {
  return kind.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const KIND_OF_URL_KIND = new Map<string, CatalogKind>(CATALOG_KINDS.map((kind) => [toUrlKind(kind), kind]));

export const CATALOG_URL_KINDS = [...KIND_OF_URL_KIND.keys()];

export function fromApiCatalogKind(urlKind: string): CatalogKind | undefined {
  return KIND_OF_URL_KIND.get(urlKind);
}
