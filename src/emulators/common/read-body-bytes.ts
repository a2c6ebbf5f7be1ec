import type { IncomingMessage } from 'node:http';

// Every emulator reads a request body the same way; only its 413 is the vendor's. A body past the limit
// is still read on (up to a few times the limit) so that the client, still sending, reads the 413
// instead of a reset; past that the connection is given up.

/** Past this many times the limit the connection is closed instead of read to its end. */
const DRAIN_FACTOR = 4;

/** The body's bytes, or undefined once it is larger than `maxBytes`. */
export async function readBodyBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size <= maxBytes) chunks.push(bytes);
    else if (size > maxBytes * DRAIN_FACTOR) break;
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks);
}
