import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryFailure, type ReadPace } from '../connector.js';
import { responseFailure, transportFailure } from '../http-failure.js';
import { confirmedDocument, faultFailure } from './sap-errors.js';
import { readBulkAnswer, readODataError } from './sap-soap.js';
import type { SapSecret, SapSettings } from './sap-settings.js';

// HTTP to an SAP S/4HANA Cloud tenant with node:http(s), since a client certificate is a TLS option
// fetch does not take. Basic authentication sends the communication user on every request; a client
// certificate authenticates the TLS connection itself. Answers are read as text and believed only once
// read: the SOAP post's status says little (200 for a refusal), the confirmation says what happened; the
// OData read-back is JSON `{"d": {"results": [...]}}`. Redirects are not followed: SAP's API host answers
// itself, and a redirect (to a logon page) means a baseUrl that is not the tenant's `-api` host.

/** The largest answer read; SAP's confirmations are a few kilobytes, a read-back of 1000 items less than a megabyte. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Rows of the item cube asked per request. */
export const PAGE_ROWS = 1000;
/** More pages than this for one query is a service that keeps linking on: 10 million rows. */
const MAX_PAGES = 10_000;

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export interface ClientDependencies {
  settings: SapSettings;
  secret: SapSecret;
  now: () => Date;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

export function createSapClient({ settings, secret, now }: ClientDependencies) {
  function send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<Answer> {
    const url = new URL(`${settings.baseUrl}${path}`);
    const timed = settings.timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]) : signal;
    const auth: Record<string, string> =
      secret.method === 'basic'
        ? { authorization: `Basic ${Buffer.from(`${secret.user}:${secret.password}`, 'utf8').toString('base64')}` }
        : {};
    const tls = secret.method === 'certificate' ? { cert: secret.certificate, key: secret.privateKey } : {};
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method,
          headers: {
            ...auth,
            ...headers,
            ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          },
          signal: timed,
          ...(url.protocol === 'https:' ? tls : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              response.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => {
            // A body cut short (the connection closed before its announced length) is a lost answer.
            if (!response.complete) {
              reject(
                Object.assign(new Error('the connection closed before the answer was complete'), {
                  code: 'ECONNRESET',
                }),
              );
              return;
            }
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              headers: toHeaders(response.headers),
            });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    }).catch((error: unknown) => {
      throw transportFailure(error, `${method} ${url.pathname}`);
    });
  }

  /** A non-2xx answer: 3xx is a baseUrl that is not the API host, the rest by status (http-failure.ts). */
  function httpFailure(what: string, answer: Answer): DeliveryFailure {
    const odata = readODataError(answer.text);
    const redirect = answer.status >= 300 && answer.status < 400;
    const said = odata?.message
      ? `${odata.code ?? 'an error'}: ${odata.message}`
      : redirect
        ? `a redirect to ${answer.headers.get('location') ?? '(nowhere)'}: baseUrl must be the tenant's API host (my…-api.s4hana.cloud.sap)`
        : answer.text.trim() === ''
          ? 'with no body'
          : /^\s*</.test(answer.text)
            ? 'with a page that is not SAP’s answer'
            : "with a body that is not SAP's answer";
    return responseFailure(answer.status, answer.text, answer.headers, now(), {
      failureClass: redirect ? 'invalid' : undefined,
      code: odata?.code,
      message: `${what}: SAP answered ${answer.status} ${said}`,
    });
  }

  return {
    /**
     * Posts one JournalEntryBulkCreateRequest; answers the document SAP created
     * (`<company code>/<fiscal year>/<document>`) or throws what its confirmation says.
     */
    async post(xml: string, reference: string, signal: AbortSignal): Promise<string> {
      const what = `POST ${settings.soapPath}`;
      const answer = await send(
        'POST',
        settings.soapPath,
        {
          'content-type': 'text/xml; charset=utf-8',
          accept: 'text/xml',
          soapaction:
            '"http://sap.com/xi/SAPSCORE/SFIN/JournalEntryCreateRequestConfirmation_In/JournalEntryCreateRequestConfirmation_InRequest"',
        },
        xml,
        signal,
      );
      const read = /xml/i.test(answer.headers.get('content-type') ?? 'text/xml')
        ? readBulkAnswer(answer.text)
        : undefined;
      if (
        read?.kind === 'fault' &&
        answer.status >= 400 &&
        answer.status < 600 &&
        answer.status !== 401 &&
        answer.status !== 403 &&
        answer.status !== 429
      )
        throw faultFailure(read, reference, answer.text, answer.status);
      if (answer.status < 200 || answer.status >= 300) throw httpFailure(what, answer);
      if (read === undefined || read.kind === 'unreadable')
        throw new DeliveryFailure(
          'unknown_outcome',
          `${what}: SAP answered ${answer.status} with ${read?.why ?? `a body of type ${answer.headers.get('content-type') ?? 'unknown'}, not SOAP`}`,
          { targetText: answer.text, status: answer.status },
        );
      if (read.kind === 'fault') throw faultFailure(read, reference, answer.text, answer.status);
      return confirmedDocument(read, reference, answer.text, answer.status);
    },

    /**
     * Every row of the journal entry item cube the filter selects, with the `select`ed fields, read page by
     * page: `$top`/`$skip` in pages of PAGE_ROWS ordered by the cube's key (so no row is skipped or read
     * twice), following a page's `__next` link first where the service pages on its own (SAP Gateway caps
     * a page and links to the rest). The filter is the caller's, built from checked values only. `pace`
     * (reconciliation's) is awaited before each page's request.
     */
    async readItems(
      filter: string,
      select: readonly string[],
      signal: AbortSignal,
      pace?: ReadPace,
    ): Promise<Record<string, unknown>[]> {
      const set = `${settings.odataPath}/A_OperationalAcctgDocItemCube`;
      const service = new URL(`${settings.baseUrl}${set}`);
      const window = (skip: number) =>
        `${set}?${new URLSearchParams({
          $filter: filter,
          $select: select.join(','),
          $orderby: 'CompanyCode,FiscalYear,AccountingDocument,AccountingDocumentItem',
          $top: String(PAGE_ROWS),
          $skip: String(skip),
          $format: 'json',
        })
          .toString()
          .replace(/\+/g, '%20')}`;
      const rows: Record<string, unknown>[] = [];
      let [skip, windowRows] = [0, 0];
      let path: string | undefined = window(skip);
      for (let pages = 1; path !== undefined; pages += 1) {
        if (pages > MAX_PAGES)
          throw new DeliveryFailure('invalid', `GET ${set}: SAP answered more than ${MAX_PAGES} pages`);
        await pace?.();
        const page = await readPage(path, set, signal);
        rows.push(...page.results);
        windowRows += page.results.length;
        if (page.next !== undefined) path = nextPagePath(page.next, service, set, path);
        // Past the service's own pages: a full window may have rows behind it, a short one was the last.
        else if (windowRows >= PAGE_ROWS) {
          [skip, windowRows] = [skip + PAGE_ROWS, 0];
          path = window(skip);
        } else path = undefined;
      }
      return rows;
    },
  };

  /** One page of the cube: its rows and its `__next` link, if any. */
  async function readPage(
    path: string,
    set: string,
    signal: AbortSignal,
  ): Promise<{ results: Record<string, unknown>[]; next?: string }> {
    const answer = await send('GET', path, { accept: 'application/json' }, undefined, signal);
    if (answer.status < 200 || answer.status >= 300) throw httpFailure(`GET ${set}`, answer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
    const d = isObject(parsed) ? parsed.d : undefined;
    const results = isObject(d) ? d.results : undefined;
    if (!isObject(d) || !Array.isArray(results) || (d.__next !== undefined && typeof d.__next !== 'string'))
      throw new DeliveryFailure(
        'unknown_outcome',
        `GET ${set}: SAP answered ${answer.status} with a body that is not an OData result set`,
        { targetText: answer.text, status: answer.status },
      );
    return { results: results.filter(isObject), ...(typeof d.__next === 'string' ? { next: d.__next } : {}) };
  }
}

/**
 * A `__next` link as the path to request next: it must stay on the tenant's entity set (a link elsewhere
 * would take the credentials there) and move on (a link to the page just read would loop).
 */
function nextPagePath(link: string, service: URL, set: string, current: string): string {
  const next = URL.canParse(link, service.href) ? new URL(link, service) : undefined;
  const path = next && `${set}${next.search}`;
  if (next?.origin === service.origin && next.pathname === service.pathname && path !== current && path) return path;
  throw new DeliveryFailure('invalid', `GET ${set}: SAP's next link is not a later page of the set: ${link}`, {
    targetText: link,
  });
}

export type SapClient = ReturnType<typeof createSapClient>;
