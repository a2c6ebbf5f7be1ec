// Fatal: bytes that are not UTF-8 are refused, never silently repaired into U+FFFD (which would store
// something other than what was sent). TextDecoder drops a leading byte order mark (its default),
// which some exporters write.
const strict = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The `charset=` parameter of a Content-Type header when it names anything but UTF-8 (the only one read). */
export function nonUtf8Charset(contentType: string | undefined): string | undefined {
  const charset = (contentType ?? '')
    .split(';')
    .slice(1)
    .map((part) => part.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='));
  return charset !== undefined && !/^charset="?utf-8"?$/.test(charset) ? charset : undefined;
}
