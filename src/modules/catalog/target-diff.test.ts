import { describe, expect, it } from 'vitest';
import { postingCatalogYaml } from '../../../test/fixtures/posting-catalog.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { diffCatalogs, isEmptyDiff } from './catalog-diff.js';
import { loadCatalog } from './load-catalog.js';

const posting = () => loadCatalog(postingCatalogYaml(), 'posting.yaml');

describe('diffCatalogs: targets', () => {
  it('has no targets entry when neither catalog declares targets', () => {
    const reference = loadCatalog(referenceCatalogYaml(), 'catalog.yaml');
    expect(diffCatalogs(undefined, reference)).not.toHaveProperty('targets');
  });

  it('lists targets by key, and a change to a target alone is a change', () => {
    expect(diffCatalogs(undefined, posting()).targets).toEqual({
      added: ['eu-export', 'netsuite-us'],
      removed: [],
      changed: [],
    });
    const next = posting();
    next.targets![0]!.limits.requestsPerSecond = 2;
    const diff = diffCatalogs(posting(), next);
    expect(diff.targets?.changed).toEqual([
      { key: 'netsuite-us', changes: [{ path: '/limits/requestsPerSecond', old: 10, new: 2 }] },
    ]);
    expect(isEmptyDiff(diff)).toBe(false);
    expect(isEmptyDiff(diffCatalogs(posting(), posting()))).toBe(true);
  });

  it('lists every target as removed when a catalog drops its targets list', () => {
    const next = posting();
    delete next.targets;
    expect(diffCatalogs(posting(), next).targets?.removed).toEqual(['eu-export', 'netsuite-us']);
  });
});
