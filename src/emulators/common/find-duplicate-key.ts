import { scanJson, scanPointer } from '../../platform/json-scan.js';

// JSON.parse keeps the last of two equal keys and says nothing, so `{"debit": 1, "debit": 100}` would
// post 100. NetSuite's and Business Central's parsers refuse such a body; this finds the first repeated
// key in JSON text that is already known to parse and to nest no deeper than the hostile-input limit.

/** The JSON Pointer of the first key repeated within one object, or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  // The keys seen so far in each open container (arrays keep an unused set: one stack, one depth).
  const seen: Set<string>[] = [];
  let repeated: string | undefined;
  scanJson(text, {
    enter: () => void seen.push(new Set()),
    leave: () => void seen.pop(),
    key(levels, source) {
      const name = JSON.parse(source) as string;
      const keys = seen[seen.length - 1] as Set<string>;
      if (keys.has(name)) repeated = scanPointer(levels);
      keys.add(name);
      return repeated !== undefined;
    },
  });
  return repeated;
}
