import { ValidationError } from '../../platform/errors.js';
import type { Catalog } from './catalog.js';
import { parseCatalogFile } from './catalog-file.js';
import { validateCatalog } from './validate-catalog.js';

/**
 * A catalog file's text as a valid catalog, or a ValidationError carrying every error with its path:
 * an invalid file is refused whole. This is the boundary `catalog diff` and `catalog apply` call.
 */
export function loadCatalog(text: string, fileName: string): Catalog {
  const result = validateCatalog(parseCatalogFile(text, fileName));
  if (!result.ok) throw new ValidationError(`${fileName} is not a valid catalog`, result.errors);
  return result.catalog;
}
