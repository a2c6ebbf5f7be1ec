// JSON Pointer (RFC 6901): how field errors name the place they are about.

/** One key as a pointer token: `~` and `/` would otherwise read as an escape and a separator. */
export function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The key a pointer token names. `~1` goes first, or `~01` (the key `~1`) would come back as `/`. */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The pointer in a URI fragment such as Ajv's schema locations ("#/properties/a%20b"), which may
 * follow a base URI. A fragment that does not percent-decode is returned as written.
 */
export function fragmentToPointer(location: string): string {
  const fragment = location.slice(location.indexOf('#') + 1);
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}
