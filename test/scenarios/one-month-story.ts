import { expect } from 'vitest';
import { readJson, type Json } from '../harness/read-json.js';
import type { TestApp } from '../harness/test-app.js';
import { Exact } from '../../src/platform/money.js';

/**
 * The cast of the one-month story: an LLM gateway selling tokens to two customers of one US entity.
 * Prices are chosen so the arithmetic can be done by hand: a 49.00 platform fee billed at the end of
 * each month, tokens at 0.002 up to 10,000 a month and 0.001 above, California tax 7.25 %. Acme's late
 * usage rolls forward onto its next invoice; Initech's is corrected by a memo.
 */
export const STORY_CATALOG = `
apiVersion: meterbridge/v1
legalEntities:
  - { code: US, name: "Story Cloud, Inc.", currency: USD, region: north-america, erpTarget: netsuite-us }
customers:
  - { key: acme, name: Acme Corporation, legalEntity: US, currency: USD, taxRegion: US-CA, aliases: [acct_1001] }
  - { key: initech, name: Initech LLC, legalEntity: US, currency: USD, taxRegion: US-CA }
taxRates:
  - { region: US-CA, rate: "7.25", name: California sales tax }
meters:
  - { key: tokens, eventType: llm.completion, valuePath: tokens, aggregation: sum, unit: token }
plans:
  - key: team
    name: Team
    charges:
      - { key: platform_fee, name: Platform fee, model: flat, prices: { USD: "49.00" }, config: { timing: in_arrears } }
      - key: tokens
        name: Tokens
        meter: tokens
        model: graduated
        prices:
          USD:
            tiers:
              - { upTo: "10000", unitPrice: "0.002" }
              - { upTo: null, unitPrice: "0.001" }
subscriptions:
  - key: acme-team
    customer: acme
    plan: team
    start: "2026-10-01T00:00:00Z"
    billingPeriod: month
    anchorDay: 1
    latePolicy: roll_forward
  - key: initech-team
    customer: initech
    plan: team
    start: "2026-10-01T00:00:00Z"
    billingPeriod: month
    anchorDay: 1
    latePolicy: memo
`;

/** The contract of `llm.completion` data: a whole, non-negative token count. */
export const COMPLETION_SCHEMA = {
  type: 'object',
  required: ['tokens'],
  properties: { tokens: { type: 'integer', minimum: 0 }, model: { type: 'string' } },
};

/** A completion reported by the gateway: `id` is the gateway's own, unique per source. */
export function completion(id: string, subject: string, time: string, tokens: unknown): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'story/llm-gateway',
    type: 'llm.completion',
    subject,
    time,
    data: { tokens, model: 'small' },
  };
}

/** A batch of events as the gateway sends it, with the per-event outcome. */
export async function send(t: TestApp, events: unknown[]): Promise<{ status: number; body: Json }> {
  const response = await t.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  return { status: response.status, body: await readJson(response) };
}

export async function post(t: TestApp, path: string, json?: unknown): Promise<Json> {
  const response = await t.request(path, { method: 'POST', json });
  const body = await readJson(response);
  expect(response.status, `${path}: ${JSON.stringify(body)}`).toBeLessThan(300);
  return body;
}

export async function get(t: TestApp, path: string): Promise<Json> {
  const response = await t.request(path);
  const body = await readJson(response);
  expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

/** The documents of a customer, oldest period first, memos after the invoice they correct. */
export async function documentsOf(t: TestApp, customer: string): Promise<Json[]> {
  const page = await get(t, `/v1/invoices?customer=${customer}`);
  const full = await Promise.all(page.items.map((item: Json) => get(t, `/v1/invoices/${item.id}`)));
  return full.sort(
    (a, b) =>
      a.periodStart.localeCompare(b.periodStart) || Number(a.document === 'memo') - Number(b.document === 'memo'),
  );
}

/** A document's lines as [kind, charge, quantity, amount]: what a reader of the invoice sees. */
export function lineTable(document: Json): [string, string | null, string | null, string][] {
  return document.lines.map((line: Json) => [line.kind, line.chargeKey, line.quantity, line.amount]);
}

export function lineOf(document: Json, kind: string, chargeKey: string): Json {
  const line = document.lines.find((candidate: Json) => candidate.kind === kind && candidate.chargeKey === chargeKey);
  expect(line, `${document.id} has a ${kind} line for ${chargeKey}`).toBeDefined();
  return line;
}

/** Every event behind a line, following `next` page by page (a small page size makes paging part of the story). */
export async function lineEvents(t: TestApp, document: Json, line: Json): Promise<Json[]> {
  const events: Json[] = [];
  let after = '';
  for (;;) {
    const page = await get(t, `/v1/invoices/${document.id}/lines/${line.lineNo}/events?limit=2${after}`);
    events.push(...page.items);
    if (page.next === null) return events;
    after = `&after=${page.next}`;
  }
}

export const sum = (values: readonly (string | null)[]): string =>
  values.reduce((total, value) => total.plus(value ?? '0'), new Exact(0)).toFixed();

/**
 * The closing check of every document: its lines add up to its subtotal (all but tax), tax total and
 * total, each to the cent.
 */
export function expectTotalsAgree(document: Json): void {
  const amounts = (kinds: (kind: string) => boolean) =>
    sum(document.lines.filter((line: Json) => kinds(line.kind)).map((line: Json) => line.amount));
  expect(new Exact(amounts((kind) => kind !== 'tax')).equals(document.subtotal), `${document.id} subtotal`).toBe(true);
  expect(new Exact(amounts((kind) => kind === 'tax')).equals(document.taxTotal), `${document.id} tax`).toBe(true);
  expect(new Exact(amounts(() => true)).equals(document.total), `${document.id} total`).toBe(true);
}

/**
 * The story's catalog with its US entity posted: `targets` is the YAML list of targets (indented as a
 * top-level list) and `accounting` the entity's accounting block (indented under it).
 */
export function postedStoryCatalog(targets: string, accounting: string): string {
  return STORY_CATALOG.replace(
    '  - { code: US, name: "Story Cloud, Inc.", currency: USD, region: north-america, erpTarget: netsuite-us }',
    `  - code: US
    name: "Story Cloud, Inc."
    currency: USD
    region: north-america
    accounting:
${accounting.replace(/^/gm, '      ')}`,
  ).replace('legalEntities:', `targets:\n${targets.replace(/^/gm, '  ')}\nlegalEntities:`);
}

/** A catalog file applied over HTTP, as an operator does: the answer, for the caller to check. */
export function postCatalog(t: TestApp, yaml: string): Promise<Response> {
  return t.request('/v1/catalog', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
}

/** The story's set-up: a catalog applied and the completion schema registered, both accepted. */
export async function applyStory(t: TestApp, yaml: string): Promise<void> {
  expect((await postCatalog(t, yaml)).status).toBe(201);
  const schema = await t.request('/v1/event-types/llm.completion/schemas/1', {
    method: 'PUT',
    json: COMPLETION_SCHEMA,
  });
  expect(schema.status).toBe(201);
}
