import { describe, expect, it } from 'vitest';
import { glInterfaceColumnsFromVendor } from '../../../test/harness/vendor-apis.js';
import { COLUMN_COUNT, POSITIONS, SEGMENT_COUNT } from './gl-interface-file.js';

const vendor = glInterfaceColumnsFromVendor();

describe('the emulator’s GlInterface.csv layout', () => {
  it('reads each column at the position of the vendor’s column list', () => {
    expect(vendor).toHaveLength(COLUMN_COUNT);
    for (const [name, position] of Object.entries(POSITIONS)) expect(vendor[position - 1], name).toBe(name);
    for (let segment = 1; segment <= SEGMENT_COUNT; segment += 1)
      expect(vendor[POSITIONS.SEGMENT1 + segment - 2]).toBe(`SEGMENT${segment}`);
  });
});
