import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmulatorConfigError, loadEmulatorConfig } from './load-emulator-config.js';

// A config file's chart names the company's dimensions and their values; each problem is reported.

const directory = mkdtempSync(join(tmpdir(), 'bc-emulator-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

describe('the Business Central emulator config file', () => {
  it('reads the dimensions of the chart and their values', () => {
    const file = write(
      'dimensions.yaml',
      'chart:\n  dimensions:\n    - { code: DEPARTMENT, name: Department, values: [{ code: SALES }, { code: ADM, name: Admin }] }\n',
    );
    expect(loadEmulatorConfig(file, Date.now()).chart?.dimensions).toEqual([
      { code: 'DEPARTMENT', name: 'Department', values: [{ code: 'SALES' }, { code: 'ADM', name: 'Admin' }] },
    ]);
  });

  it('reports every malformed dimension and value at its place', () => {
    const file = write(
      'bad.json',
      JSON.stringify({ chart: { dimensions: [{ code: 'X'.repeat(21), values: [{}] }, { code: 'AREA' }] } }),
    );
    let failure: unknown;
    try {
      loadEmulatorConfig(file, Date.now());
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(EmulatorConfigError);
    const message = (failure as Error).message;
    expect(message).toContain('chart.dimensions[0].code must be a code of 1 to 20 characters');
    expect(message).toContain('chart.dimensions[0].values[0].code must be a code of 1 to 20 characters');
    expect(message).toContain('chart.dimensions[1].values must be a list of objects');
  });
});
