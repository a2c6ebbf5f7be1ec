import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../platform/package-root.js';
import { CATALOG_SCHEMA } from './catalog-schema.js';

describe('schemas/catalog.schema.json', () => {
  it('is the schema the validator uses, so editors and Meterbridge agree', () => {
    const published: unknown = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'catalog.schema.json'), 'utf8'));
    expect(published).toEqual(CATALOG_SCHEMA);
  });
});
