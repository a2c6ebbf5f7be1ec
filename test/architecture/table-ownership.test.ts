import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rule of migrations/README.md, checked: every table has one owning module, and only the owner's code
// names it in SQL. Reads the files, so it needs no database.

const ROOT = join(import.meta.dirname, '..', '..');
const MIGRATIONS = join(ROOT, 'migrations');
const MODULES = join(ROOT, 'src', 'modules');

function ownersFromReadme(): Map<string, string> {
  const readme = readFileSync(join(MIGRATIONS, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Who owns which table'),
    readme.indexOf('## Where a new migration goes'),
  );
  const owners = new Map<string, string>();
  for (const match of section.matchAll(/^\| ([a-z_]+) \| ([a-z-]+) \|$/gm)) owners.set(match[1]!, match[2]!);
  owners.delete('table'); // the header row
  return owners;
}

const migrationFiles = () => readdirSync(MIGRATIONS).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file));
const read = (path: string) => readFileSync(path, 'utf8');
/** A migration without its `--` comments, which may mention any table. */
const readSql = (file: string) => read(join(MIGRATIONS, file)).replace(/--.*$/gm, '');

/** Source files of a module (tests excluded), with comments removed: prose may name any table. */
function moduleSources(module: string): { file: string; code: string }[] {
  const files = readdirSync(join(MODULES, module), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  return files.map((file) => ({
    file: `src/modules/${module}/${file}`,
    code: read(join(MODULES, module, file))
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, ''),
  }));
}

/** SQL that reads, writes, locks or changes the table (a bare word in a message does not count). */
const namesInSql = (table: string) =>
  new RegExp(`\\b(from|join|into|update|table|truncate|on)\\s+${table}\\b(?!['-])`, 'i');

describe('table ownership', () => {
  const owners = ownersFromReadme();
  const modules = readdirSync(MODULES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  it('lists every table the migrations create, once, under a module that exists', () => {
    const created = migrationFiles().flatMap((file) =>
      [...readSql(file).matchAll(/create table (?:if not exists )?([a-z_]+)/g)].map((m) => m[1]!),
    );
    expect(new Set(created).size).toBe(created.length);
    expect([...owners.keys()].sort()).toEqual([...created].sort());
    for (const [table, module] of owners) expect(modules, `owner of ${table}`).toContain(module);
  });

  it('lets no module name another module’s table in its SQL', () => {
    const trespasses: string[] = [];
    for (const module of modules) {
      for (const { file, code } of moduleSources(module)) {
        for (const [table, owner] of owners) {
          if (owner !== module && namesInSql(table).test(code)) trespasses.push(`${file} names ${table} (${owner}'s)`);
        }
      }
    }
    expect(trespasses).toEqual([]);
  });

  it('names each migration from 0008 on after the one module whose tables it changes', () => {
    const problems: string[] = [];
    for (const file of migrationFiles().filter((name) => Number(name.slice(0, 4)) >= 8)) {
      const module = modules.find((candidate) => file.startsWith(`${file.slice(0, 4)}_${candidate}_`));
      if (!module) {
        problems.push(`${file} does not start with NNNN_<module>_`);
        continue;
      }
      const sql = readSql(file);
      for (const [table, owner] of owners) {
        if (owner !== module && namesInSql(table).test(sql)) problems.push(`${file} changes ${table} (${owner}'s)`);
      }
    }
    expect(problems).toEqual([]);
  });
});
