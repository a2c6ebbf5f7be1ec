import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../platform/package-root.js';

/** The reference scenario's catalog, as documented: the first YAML block of docs/catalog.md. */
export function referenceCatalogYaml(): string {
  const page = readFileSync(join(packageRoot(), 'docs', 'catalog.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(page);
  if (block?.[1] === undefined) throw new Error('docs/catalog.md has no yaml example');
  return block[1];
}
