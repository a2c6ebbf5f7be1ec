import { describe, expect, it } from 'vitest';
import { glInterfaceColumnsFromVendor } from '../../../../test/harness/vendor-apis.js';
import { GL_INTERFACE_COLUMNS, toPositionalRow } from './gl-interface-columns.js';

const vendor = glInterfaceColumnsFromVendor();

describe('GL_INTERFACE_COLUMNS', () => {
  it('is the 149 columns of GlInterface.csv in the vendor list’s order', () => {
    expect(vendor).toHaveLength(149);
    expect(GL_INTERFACE_COLUMNS).toEqual(vendor);
  });

  it('puts each value at its column’s position and leaves the rest empty', () => {
    const row = toPositionalRow({ STATUS: 'NEW', ENTERED_DR: '1.00', GROUP_ID: '7', PERIOD_NAME: 'Oct-26' });
    expect(row).toHaveLength(149);
    expect([row[0], row[38], row[66], row[94]]).toEqual(['NEW', '1.00', '7', 'Oct-26']);
    expect(row.filter((value) => value !== '')).toHaveLength(4);
    expect(() => toPositionalRow({ SEGMENT31: 'x' })).toThrow(/not a GL_INTERFACE column/);
  });
});
