import { escapePointerToken } from '../../platform/json-pointer.js';

// Finds secrets written into a target's settings, so that none is stored in a catalog version (versions are
// append-only: a secret applied once could never be removed) nor served by the catalog API. A finding says
// what the value looks like, never the value: errors are printed, logged and returned over HTTP.

export interface SecretFinding {
  /** JSON Pointer relative to the value searched. */
  path: string;
  /** Why it looks like a secret, such as "a private key block"; no part of the value. */
  looksLike: string;
}

// Keys whose values are credentials whatever they look like, matched on the key lower-cased with
// separators removed, at its end: `clientSecret`, `api_key`, `X-Api-Key`, `Authorization`, not `tokenUrl`.
const SECRET_KEY =
  /(password|passwd|passphrase|secret|token|privatekey|apikey|accesskey|consumerkey|signingkey|authorization|cookie|credentials?)$/;

const VALUE_SHAPES: readonly { pattern: RegExp; looksLike: string }[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]+-----/, looksLike: 'a PEM block (private key or certificate)' },
  { pattern: /\b(sk|rk)_(live|test)_[A-Za-z0-9]{8,}/, looksLike: 'a Stripe secret or restricted key' },
  { pattern: /\bwhsec_[A-Za-z0-9+/=]{8,}/, looksLike: 'a webhook signing secret' },
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/, looksLike: 'a JWT' },
  { pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i, looksLike: 'a URL with a password in it' },
];

/**
 * 32+ characters of base64/hex-like text with letters and digits interleaved (4+ switches between them)
 * at 3.5+ bits of entropy per character. Names, paths and dotted ids keep their digits together
 * (`journal.v2026`), so they do not pass for keys however long they are.
 */
function looksRandom(word: string): boolean {
  if (word.length < 32 || !/^[A-Za-z0-9+/=_.-]+$/.test(word) || /^[./]/.test(word)) return false;
  const digits = [...word.replace(/[^A-Za-z0-9]/g, '')].map((character) => /[0-9]/.test(character));
  if (digits.filter((digit, i) => i > 0 && digit !== digits[i - 1]).length < 4) return false;
  const counts = new Map<string, number>();
  for (const character of word) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / word.length) * Math.log2(count / word.length);
  return bits >= 3.5;
}

/** Why `text` looks like a secret, or undefined. `randomAllowed`: an identifier that looks random by nature. */
export function secretShape(text: string, randomAllowed = false): string | undefined {
  const shape = VALUE_SHAPES.find(({ pattern }) => pattern.test(text));
  if (shape) return shape.looksLike;
  if (!randomAllowed && text.split(/\s+/).some(looksRandom)) return 'a long random string (a key or token)';
  return undefined;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/**
 * Every place in `value` (settings: plain JSON) holding a secret: a non-empty value under a secret-like
 * key, or a string shaped like a secret. `randomAllowed` lists pointers exempt from the randomness test.
 */
export function findSecretValues(value: unknown, randomAllowed: readonly string[] = [], path = ''): SecretFinding[] {
  if (typeof value === 'string') {
    const looksLike = secretShape(value, randomAllowed.includes(path));
    return looksLike ? [{ path, looksLike }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  return entries.flatMap(([key, item]) => {
    const at = `${path}/${escapePointerToken(key)}`;
    if (!Array.isArray(value) && isSecretKey(key) && isPresent(item))
      return [{ path: at, looksLike: `a credential: the key "${key}" names one` }];
    return findSecretValues(item, randomAllowed, at);
  });
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '' && value !== false;
}
