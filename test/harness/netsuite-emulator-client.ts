import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { NetSuiteCredentials } from '../../src/emulators/netsuite/emulator-options.js';

// A minimal TBA-signing client for tests of the emulator and of connectors against it: it signs the
// way NetSuite's clients do (OAuth 1.0a, HMAC-SHA256, realm = account id) and returns the raw answer,
// so a test can look at status, headers and body exactly as they came.

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON, or undefined when there is none. */
  body: unknown;
}

export function tbaHeader(credentials: NetSuiteCredentials, method: string, url: string): string {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    realm: credentials.accountId,
    signature_method: 'HMAC-SHA256',
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  const signed = oauth.authorize({ url, method }, { key: credentials.tokenId, secret: credentials.tokenSecret });
  return oauth.toHeader(signed).Authorization;
}

export async function readAnswer(response: Response): Promise<RawAnswer> {
  const text = await response.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page): the text itself is the body.
  }
  return { status: response.status, headers: response.headers, body };
}

export interface TbaRequest {
  method?: string;
  /** A path under /services/rest/, with its query (a record read for its lines needs `?expandSubResources=true`). */
  path: string;
  /** A value to send as JSON, or raw text / bytes sent as they are. */
  json?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Sends one TBA-signed request to an emulator (or any NetSuite base URL). */
export async function tbaRequest(
  baseUrl: string,
  credentials: NetSuiteCredentials,
  request: TbaRequest,
): Promise<RawAnswer> {
  const method = request.method ?? (request.json === undefined && request.raw === undefined ? 'GET' : 'POST');
  const url = `${baseUrl}/services/rest/${request.path}`;
  const body = request.raw ?? (request.json === undefined ? undefined : JSON.stringify(request.json));
  const response = await fetch(url, {
    method,
    headers: {
      authorization: tbaHeader(credentials, method, url),
      ...(body === undefined ? {} : { 'content-type': 'application/json', prefer: 'transient' }),
      ...request.headers,
    },
    body,
    signal: request.signal,
  });
  return readAnswer(response);
}

/** A balanced journal entry of `amount` on the default chart (58 debit, 4 credit). */
export function journalEntryBody(externalId: string, amount = 187, extra: Record<string, unknown> = {}) {
  return {
    externalId,
    subsidiary: { id: '1' },
    currency: { id: '1' },
    tranDate: '2026-10-31',
    memo: 'usage October 2026',
    line: {
      items: [
        { account: { id: '58' }, debit: amount, memo: 'receivable' },
        { account: { id: '4' }, credit: amount, memo: 'usage revenue' },
      ],
    },
    ...extra,
  };
}

/** The header of an invoice or credit memo of customer 100 on the default chart. */
const salesHeader = (externalId: string, tranDate: string) => ({
  externalId,
  entity: { id: '100' },
  subsidiary: { id: '1' },
  currency: { id: '1' },
  tranDate,
  memo: `Meterbridge ${externalId}`,
});

/** An invoice of one item line of `amount` and, when `tax` is given, a line of the default tax item (90). */
export function invoiceBody(externalId: string, amount = 100, tax?: number, extra: Record<string, unknown> = {}) {
  return {
    ...salesHeader(externalId, '2026-10-31'),
    otherRefNum: externalId,
    item: {
      items: [
        { item: { id: '10' }, quantity: 1, rate: amount, amount, description: 'usage' },
        ...(tax === undefined ? [] : [{ item: { id: '90' }, amount: tax, description: 'Tax' }]),
      ],
    },
    ...extra,
  };
}

/** A credit memo of `amount`, applied as `apply` says (e.g. `[{ doc: { id: '101' }, apply: true, amount: 5 }]`). */
export function creditMemoBody(
  externalId: string,
  amount: number,
  apply?: unknown[],
  extra: Record<string, unknown> = {},
) {
  return {
    ...salesHeader(externalId, '2026-11-01'),
    item: { items: [{ item: { id: '10' }, amount, description: 'credit' }] },
    ...(apply === undefined ? {} : { apply: { items: apply } }),
    ...extra,
  };
}
