import type { FastifyRequest } from 'fastify';
import { UnsupportedMediaTypeError, ValidationError } from '../../../platform/errors.js';
import { decodeUtf8, nonUtf8Charset } from '../../../platform/utf8.js';

/** The media types a catalog file may be sent as, and the file name the catalog module reads each as. */
const FILE_NAME_OF_MEDIA_TYPE: Readonly<Record<string, string>> = {
  'application/yaml': 'catalog.yaml',
  'application/x-yaml': 'catalog.yaml',
  'text/yaml': 'catalog.yaml',
  'application/json': 'catalog.json',
};

export const CATALOG_MEDIA_TYPES = Object.keys(FILE_NAME_OF_MEDIA_TYPE);

/**
 * A content type parser that hands the route the file's text, untouched: the catalog module parses it,
 * so duplicate keys and `__proto__` are refused the same way as from the CLI, with line and column.
 */
export function parseCatalogFileBody(
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, value?: unknown) => void,
): void {
  try {
    catalogFileName(request.headers['content-type']);
    const text = decodeUtf8(typeof body === 'string' ? Buffer.from(body) : body);
    done(text === undefined ? new ValidationError('the catalog file is not valid UTF-8') : null, text);
  } catch (error) {
    done(error as Error);
  }
}

/** `catalog.yaml` or `catalog.json` for the request's content type; only UTF-8 is accepted as a charset. */
export function catalogFileName(header: string | undefined): string {
  const essence = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const fileName = Object.hasOwn(FILE_NAME_OF_MEDIA_TYPE, essence) ? FILE_NAME_OF_MEDIA_TYPE[essence] : undefined;
  if (fileName === undefined) {
    throw new UnsupportedMediaTypeError(
      `content type ${JSON.stringify(header ?? '')} is not accepted; use one of ${CATALOG_MEDIA_TYPES.join(', ')}`,
    );
  }
  const charset = nonUtf8Charset(header);
  if (charset !== undefined) throw new UnsupportedMediaTypeError(`only UTF-8 is accepted, got ${charset}`);
  return fileName;
}

/** The body the parser produced: always a string for the catalog routes, which accept no other. */
export function catalogFileText(body: unknown): string {
  return typeof body === 'string' ? body : '';
}
