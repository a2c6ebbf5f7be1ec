import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { POSTING_TARGETS_AND_ENTITIES } from '../../../test/fixtures/posting-catalog.js';
import { packageRoot } from '../../platform/package-root.js';

describe('docs/catalog.md', () => {
  it("shows the posting fixture's targets and legal entities as its targets example", () => {
    const page = readFileSync(join(packageRoot(), 'docs', 'catalog.md'), 'utf8');
    const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const example = blocks.find((block) => block.startsWith('targets:'));
    expect(example).toBeDefined();
    expect(parseYaml(example ?? '')).toEqual(parseYaml(POSTING_TARGETS_AND_ENTITIES));
  });
});
