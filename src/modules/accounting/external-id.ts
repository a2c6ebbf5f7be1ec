import { createHash } from 'node:crypto';

// Every target's rules at once: at most 16 characters of A-Z, 0-9 and `-` (SAP's DocumentReferenceID is
// 16 characters, Business Central's documentNumber 20; NetSuite's external id takes letters, digits, `_`
// and `-`). A prefix says what the document is; 14 characters of base32 of a SHA-256 (70 bits) make it
// unique per target for any realistic ledger, and the same on every retry, restart and replay.

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** What a posting is, as the first letter of its external id. */
export const EXTERNAL_ID_PREFIXES = {
  journal: 'J',
  invoice: 'I',
  credit_memo: 'C',
  void: 'V',
  accrual: 'A',
  reversal: 'R',
  billing: 'B',
  usage: 'U',
} as const;
export type ExternalIdKind = keyof typeof EXTERNAL_ID_PREFIXES;

export function externalIdFor(kind: ExternalIdKind, ...parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 14) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 14) break;
  }
  return `${EXTERNAL_ID_PREFIXES[kind]}-${out}`;
}

/** True when an id fits every target's rules. */
export const isPortableExternalId = (id: string): boolean => /^[A-Z0-9-]{1,16}$/.test(id);
