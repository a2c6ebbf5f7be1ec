import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/platform/package-root.js';

// The vendors' own artifacts (vendor-apis/ at the repository's root, copied unchanged with their
// licences), read by tests, never by the code under test.

const VENDOR_APIS = join(packageRoot(), 'vendor-apis');

/** The artifact's text, by its path under vendor-apis/. */
export function readVendorApi(path: string): string {
  return readFileSync(join(VENDOR_APIS, path), 'utf8');
}

/** The positional GL_INTERFACE columns of FBDI's GlInterface.csv, in order, from the vendor's list. */
export function glInterfaceColumnsFromVendor(): string[] {
  const text = readVendorApi('oracle-fusion/GlInterface-columns.csv');
  const rows = text.trim().split(/\r?\n/).slice(1);
  return rows.map((line, index) => {
    const [position, name] = line.split(',');
    if (Number(position) !== index + 1 || !name) throw new Error(`unexpected line ${index + 2}: ${line}`);
    return name;
  });
}
