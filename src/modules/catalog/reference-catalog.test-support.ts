import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../platform/package-root.js';
import { parseCatalogFile } from './catalog-file.js';
import { validateCatalog } from './validate-catalog.js';

/** The reference scenario's catalog, as documented: the first YAML block of docs/catalog.md. */
export function referenceCatalogYaml(): string {
  const page = readFileSync(join(packageRoot(), 'docs', 'catalog.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(page);
  if (block?.[1] === undefined) throw new Error('docs/catalog.md has no yaml example');
  return block[1];
}

/** A parsed catalog document that tests may break on purpose, field by field. */
export type CatalogDocument = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The reference catalog, parsed but not yet validated. */
export function referenceCatalogDocument(): CatalogDocument {
  return parseCatalogFile(referenceCatalogYaml(), 'catalog.yaml') as CatalogDocument;
}

/** The errors a refused document gets; fails the test when the document is accepted. */
export function catalogErrorsOf(document: unknown): unknown[] {
  const result = validateCatalog(document);
  if (result.ok) throw new Error('expected the catalog to be refused');
  return result.errors;
}
