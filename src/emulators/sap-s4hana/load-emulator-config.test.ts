import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorConfigError, loadEmulatorConfig } from './load-emulator-config.js';

// The config file's page size: a whole number turns on the OData service's own paging; anything else is
// reported with the file's other problems.

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sap-config-')), 'sap.yaml');
  writeFileSync(path, text);
  return path;
};

describe('the SAP emulator config file', () => {
  it('takes a page size for the OData service', () => {
    expect(loadEmulatorConfig(file('maxPageRows: 500\n'), 0)).toMatchObject({ maxPageRows: 500 });
    expect(loadEmulatorConfig(file('credentials: { user: U, password: P }\n'), 0).maxPageRows).toBeUndefined();
  });

  it('refuses a page size that is not a whole number above zero, with every other problem', () => {
    for (const value of ['0', '-1', '2.5', '"100"', '1e9'])
      expect(() => loadEmulatorConfig(file(`maxPageRows: ${value}\nnope: 1\n`), 0)).toThrow(EmulatorConfigError);
    const both = () => loadEmulatorConfig(file('maxPageRows: 0\ncredentials: []\n'), 0);
    expect(both).toThrow(/maxPageRows must be a whole number/);
    expect(both).toThrow(/credentials must be an object/);
  });
});
