import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CATALOG_KINDS, type CatalogDiff, type FieldChange } from '../../modules/catalog/index.js';
import { ValidationError } from '../../platform/errors.js';
import { loginName } from '../cli-actor.js';
import { withStoreOptions } from '../options.js';
import { openConfiguredApp, withApp, type AppCommandDependencies } from '../with-app.js';

const DIFF_HELP = `
Compares FILE with the current catalog version and prints, per kind, the objects added (+), removed (-)
and changed (~), each changed field as a JSON Pointer with its old -> new value. Nothing is written.

Exit status: 0 the file is valid and apply would take it; 2 apply would refuse it (a meter definition
changed without a later effectiveFrom, listed on stderr); 1 the file is invalid (every error listed).`;

const APPLY_HELP = `
Validates FILE and stores it as the next catalog version, with who applied it, when and the diff, in one
transaction. An invalid file is refused whole with every error; a file that changes nothing creates no
version. A meter whose eventType, filter, valuePath, aggregation or groupBy changes needs an effectiveFrom
later than its previous one: usage already derived is never reinterpreted silently (or replay it).`;

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function describeChange(change: FieldChange): string {
  return `${change.path || '/'}: ${show(change.old)} -> ${show(change.new)}`;
}

/** The diff as lines an operator reads: one block per kind that changed, in the catalog's order. */
export function formatCatalogDiff(diff: CatalogDiff): string[] {
  const lines: string[] = [];
  for (const kind of CATALOG_KINDS) {
    const { added, removed, changed } = diff[kind];
    if (added.length + removed.length + changed.length === 0) continue;
    const counts = [
      added.length > 0 ? `${added.length} added` : '',
      removed.length > 0 ? `${removed.length} removed` : '',
      changed.length > 0 ? `${changed.length} changed` : '',
    ].filter(Boolean);
    lines.push(`${kind}: ${counts.join(', ')}`);
    for (const key of added) lines.push(`  + ${key}`);
    for (const key of removed) lines.push(`  - ${key}`);
    for (const { key, changes } of changed) {
      lines.push(`  ~ ${key}`);
      for (const change of changes) lines.push(`      ${describeChange(change)}`);
    }
  }
  return lines;
}

async function readCatalogFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read the catalog file ${file}: ${(error as Error).message}`);
  }
}

export function catalogCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  const catalog = new Command('catalog').description('show and apply changes to the versioned catalog');

  catalog.addCommand(
    withStoreOptions(
      new Command('diff').description('show what applying a catalog file would change, without changing anything'),
    )
      .requiredOption('-f, --file <file>', 'the catalog file (YAML, or JSON when it ends in .json)')
      .addHelpText('after', DIFF_HELP)
      .action(async (options: Record<string, unknown>) => {
        const { file, ...storeOptions } = options as { file: string } & Record<string, unknown>;
        const text = await readCatalogFile(file);
        const result = await withApp(storeOptions, openApp, (app) => app.catalog.diff(text, file));
        const base =
          result.baseVersion === undefined
            ? 'an empty catalog (no version applied yet)'
            : `version ${result.baseVersion}`;
        if (!result.changed) {
          console.log(`no changes against ${base}`);
          return;
        }
        console.log(`changes against ${base}:`);
        for (const line of formatCatalogDiff(result.diff)) console.log(line);
        if (result.refusals.length > 0) {
          console.error('apply would refuse this file:');
          for (const refusal of result.refusals) console.error(`  ${refusal.path}: ${refusal.message}`);
          process.exitCode = 2;
        }
      }),
  );

  catalog.addCommand(
    withStoreOptions(new Command('apply').description('apply a catalog file as a new catalog version'))
      .requiredOption('-f, --file <file>', 'the catalog file (YAML, or JSON when it ends in .json)')
      .option('--by <name>', 'who applies it, kept with the version (default: the login name)')
      .addHelpText('after', APPLY_HELP)
      .action(async (options: Record<string, unknown>) => {
        const { file, by, ...storeOptions } = options as { file: string; by?: string } & Record<string, unknown>;
        const text = await readCatalogFile(file);
        const result = await withApp(storeOptions, openApp, (app) => app.catalog.apply(text, file, by ?? loginName()));
        if (!result.created) {
          console.log(`unchanged, version ${result.version.version}`);
          return;
        }
        for (const line of formatCatalogDiff(result.version.diff)) console.log(line);
        console.log(`applied version ${result.version.version}`);
      }),
  );
  return catalog;
}
