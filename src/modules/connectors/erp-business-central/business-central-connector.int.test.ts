import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bcApi,
  bcPeriodEntries,
  bcSecret,
  bcTarget,
  checkBcLedger,
} from '../../../../test/harness/business-central-test-ledger.js';
import {
  startBusinessCentralEmulator,
  type BusinessCentralEmulator,
} from '../../../emulators/business-central/index.js';
import type { DeliveryFailure } from '../connector.js';
import { type JournalEntry } from '../connector.js';
import { createBusinessCentralConnector, createBusinessCentralContext } from './business-central-connector.js';
import { batchCodeFor } from './business-central-mapping.js';

// Journal mode against the emulator: a posting's own batch, its lines, the post, and the G/L entries read
// back by document number; a batch left half built (or holding an earlier, refused version of the
// posting) resumed and corrected, never posted twice; BC's refusals kept in its own words.

const signal = () => AbortSignal.timeout(10_000);
let emulator: BusinessCentralEmulator;

beforeAll(async () => {
  emulator = await startBusinessCentralEmulator({ seed: 5 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

const connector = (settings: Record<string, unknown> = {}, secret = bcSecret(emulator)) =>
  createBusinessCentralConnector(bcTarget(emulator, settings), secret, createBusinessCentralContext());

const byHand = (method: string, path: string, body?: unknown) => bcApi(emulator, method, path, body);

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as DeliveryFailure,
  );

const ledger = () => checkBcLedger(emulator.ledger());

describe('Business Central journal mode against the emulator', () => {
  it('posts an entry through a batch of its own and reads it back by its document number', async () => {
    const [entry] = bcPeriodEntries(1) as [JournalEntry];
    const bc = connector();
    const { id } = await bc.deliver(entry, signal());
    const entries = emulator.ledger().filter((one) => one.documentNumber === entry.externalId);
    expect(entries.map((one) => [one.accountNumber, one.debit, one.credit])).toEqual(
      entry.lines.map((line) => [
        line.account,
        line.debit === '0' ? '0' : line.debit,
        line.credit === '0' ? '0' : line.credit,
      ]),
    );
    expect(id).toBe(String(entries[0]?.entryNumber));
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
    // The emptied batch was deleted, and the G/L entries carry the line memos.
    expect(emulator.entities().journals).toEqual([]);
    expect(emulator.entities().generalLedgerEntries[0]).toMatchObject({ description: 'receivable', documentType: ' ' });
    expect(await bc.find(entry, signal())).toMatchObject({ id });
    // Delivered again (a retry): found first, nothing posted.
    expect(await bc.deliver(entry, signal())).toEqual({ id });
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
  });

  it('finds nothing for a posting BC does not hold', async () => {
    const [entry] = bcPeriodEntries(1, 'NONE') as [JournalEntry];
    expect(await connector().find(entry, signal())).toBeUndefined();
  });

  it('resumes a half-built batch: keeps the right lines, corrects a wrong one, deletes a stray one, posts once', async () => {
    const [entry] = bcPeriodEntries(2).slice(1) as [JournalEntry];
    const code = batchCodeFor(entry.externalId, 'MB');
    const batch = await byHand('POST', 'journals', { code, displayName: `Meterbridge ${entry.externalId}` });
    const line = (index: number, amount: number) => ({
      lineNumber: (index + 1) * 10000,
      accountNumber: entry.lines[index]!.account,
      postingDate: entry.postingDate,
      documentNumber: entry.externalId,
      amount,
      description: entry.lines[index]!.memo,
    });
    // The first line as the posting has it, the second with a wrong amount, and a line that is not its own.
    await byHand('POST', `journals(${String(batch.id)})/journalLines`, line(0, Number(entry.lines[0]!.debit)));
    await byHand('POST', `journals(${String(batch.id)})/journalLines`, line(1, -1));
    await byHand('POST', `journals(${String(batch.id)})/journalLines`, { ...line(1, 1), lineNumber: 90000 });
    await connector().deliver(entry, signal());
    const check = ledger();
    expect(check.transactionsPerDocument.get(entry.externalId)).toBe(1);
    expect(check.unbalanced).toEqual([]);
    expect(emulator.ledger()).toHaveLength(entry.lines.length);
  });

  it('survives every write answered by a dropped connection: each attempt carries on, and it posts once', async () => {
    const [entry] = bcPeriodEntries(1, 'DROP') as [JournalEntry];
    const bc = connector();
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const classes: string[] = [];
    let found;
    for (let attempt = 0; attempt < 20 && found === undefined; attempt += 1) {
      found = await bc.find(entry, signal());
      if (found !== undefined) break;
      const failure = await failureOf(bc.deliver(entry, signal()));
      if (failure) classes.push(failure.failureClass);
      else found = await bc.find(entry, signal());
    }
    expect(found).toBeDefined();
    expect(classes.length).toBeGreaterThan(3);
    expect(new Set(classes)).toEqual(new Set(['unknown_outcome']));
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBeGreaterThan(3);
  });

  it('refuses an account BC does not know with its own words, then posts the fixed entry once', async () => {
    const [fixed] = bcPeriodEntries(1, 'BAD') as [JournalEntry];
    const wrong = { ...fixed, lines: fixed.lines.map((line, i) => (i === 1 ? { ...line, account: '99999' } : line)) };
    const failure = await failureOf(connector().deliver(wrong, signal()));
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'Application_DialogException' },
    });
    expect(failure?.detail.targetText).toMatch(/The \\"accountNumber\\" does not match to an Account\./);
    // Its first line was written before the refusal: the batch is half built, and nothing is posted.
    expect(emulator.entities().journalLines).toHaveLength(1);
    expect(emulator.ledger()).toEqual([]);
    await connector().deliver(fixed, signal());
    expect(ledger().transactionsPerDocument.get(fixed.externalId)).toBe(1);
    expect(emulator.ledger().map((one) => one.accountNumber)).not.toContain('99999');
  });

  it('leaves a batch unposted when BC refuses to post it (a blocked account), and says so', async () => {
    const [entry] = bcPeriodEntries(1, 'BLK') as [JournalEntry];
    const blocked = { ...entry, lines: entry.lines.map((line, i) => (i === 1 ? { ...line, account: '49900' } : line)) };
    const failure = await failureOf(connector().deliver(blocked, signal()));
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { code: 'Application_FieldValidationException' },
    });
    expect(failure?.message).toMatch(/Blocked must be equal to 'No'/);
    expect(emulator.ledger()).toEqual([]);
    expect(emulator.entities().journalLines).toHaveLength(blocked.lines.length);
  });

  it('builds batches under the configured template and prefix', async () => {
    const [entry] = bcPeriodEntries(1, 'TPL') as [JournalEntry];
    emulator.setFaults({ dropAfterCommitRate: 0 });
    const bc = connector({ journal: { template: 'MB', batchPrefix: 'X' } });
    // Stopped before the post: a refusal keeps the batch for a look.
    const failure = await failureOf(
      bc.deliver(
        { ...entry, lines: entry.lines.map((line, i) => (i === 1 ? { ...line, account: '49900' } : line)) },
        signal(),
      ),
    );
    expect(failure?.failureClass).toBe('invalid');
    expect(emulator.entities().journals).toMatchObject([
      {
        code: batchCodeFor(entry.externalId, 'X'),
        templateDisplayName: 'MB',
        displayName: `Meterbridge ${entry.externalId}`,
      },
    ]);
    expect(batchCodeFor(entry.externalId, 'X')).toMatch(/^X[A-Z2-7]{9}$/);
  });

  it('refuses before any request what BC cannot take: another currency, dimensions, an unbalanced entry', async () => {
    const [entry] = bcPeriodEntries(1, 'MAP') as [JournalEntry];
    const before = emulator.stats();
    const bc = connector();
    const cases: Array<[JournalEntry, string]> = [
      [{ ...entry, currency: 'EUR' }, 'currency'],
      [
        { ...entry, lines: entry.lines.map((line) => ({ ...line, dimensions: { department: 'SALES' } })) },
        'lines[0].dimensions',
      ],
      [{ ...entry, lines: entry.lines.slice(1) }, 'lines'],
      [{ ...entry, externalId: 'j-lower' }, 'externalId'],
      [
        { ...entry, lines: entry.lines.map((line, i) => (i === 0 ? { ...line, debit: '1.005' } : line)) },
        'lines[0].amount',
      ],
    ];
    for (const [body, path] of cases)
      expect(await failureOf(bc.deliver(body, signal()))).toMatchObject({ failureClass: 'invalid', detail: { path } });
    expect(emulator.stats()).toEqual(before);
  });
});

/**
 * A process killed mid-delivery: once `count` requests matching `matches` have gone out, every later one
 * fails before it is sent. Restored by the caller.
 */
function killAfter(count: number, matches: (method: string, url: string) => boolean) {
  const real = globalThis.fetch;
  let seen = 0;
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (matches(init?.method ?? 'GET', url) && ++seen > count) throw new Error('the process was killed');
    return real(input, init);
  });
}

describe('Business Central dimensions in journal mode', () => {
  const MAPPED = { dimensions: { department: 'DEPARTMENT', location: 'AREA' } };
  const withDimensions = (
    entry: JournalEntry,
    dimensions: Record<string, string> = { department: 'SALES', location: '30' },
  ): JournalEntry => ({
    ...entry,
    lines: entry.lines.map((line) => ({ ...line, dimensions })),
  });
  const dimensionsOf = (externalId: string) =>
    emulator
      .ledger()
      .filter((one) => one.documentNumber === externalId)
      .map((one) => one.dimensions);

  it("posts each line's dimensions as its dimension set lines, and each G/L entry carries them", async () => {
    const [plain] = bcPeriodEntries(1, 'DIM') as [JournalEntry];
    const entry = withDimensions(plain);
    entry.lines[0] = { ...entry.lines[0]!, dimensions: { department: 'ADM' } };
    const { id } = await connector(MAPPED).deliver(entry, signal());
    expect(dimensionsOf(entry.externalId)).toEqual([
      { DEPARTMENT: 'ADM' },
      ...entry.lines.slice(1).map(() => ({ AREA: '30', DEPARTMENT: 'SALES' })),
    ]);
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
    // As a person reads them in BC: the entry's own dimension set lines.
    const first = emulator.entities().generalLedgerEntries.find((one) => String(one.entryNumber) === id)!;
    const read = await byHand('GET', `generalLedgerEntries(${String(first.id)})/dimensionSetLines`);
    expect((read.value as Array<Record<string, unknown>>).map((one) => [one.code, one.valueCode])).toEqual([
      ['DEPARTMENT', 'ADM'],
    ]);
    // The batch, its lines and their dimension set lines are gone; only the entries' remain.
    expect(emulator.entities().journalLines).toEqual([]);
    expect(emulator.entities().dimensionSetLines.every((one) => one.parentType === 'General Ledger Entry')).toBe(true);
  });

  it('resumes a batch killed between two dimension set lines: completes the sets, posts once, with every dimension', async () => {
    const entry = withDimensions((bcPeriodEntries(1, 'KILL') as [JournalEntry])[0]);
    const killed = killAfter(3, (method, url) => method === 'POST' && url.endsWith('/dimensionSetLines'));
    try {
      expect(await failureOf(connector(MAPPED).deliver(entry, signal()))).toBeDefined();
    } finally {
      killed.mockRestore();
    }
    // Lines built, three of their dimension set lines written, nothing posted.
    expect(emulator.entities().journalLines).toHaveLength(entry.lines.length);
    expect(emulator.entities().dimensionSetLines).toHaveLength(3);
    expect(emulator.ledger()).toEqual([]);
    expect(await connector(MAPPED).find(entry, signal())).toBeUndefined();
    await connector(MAPPED).deliver(entry, signal());
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
    expect(dimensionsOf(entry.externalId)).toEqual(entry.lines.map(() => ({ AREA: '30', DEPARTMENT: 'SALES' })));
  });

  it('survives every write answered by a dropped connection, dimension set lines included, and posts once', async () => {
    const [entry] = bcPeriodEntries(1, 'DDROP', { department: 'SALES', location: '30' }) as [JournalEntry];
    const bc = connector(MAPPED);
    emulator.setFaults({ dropAfterCommitRate: 1 });
    let found;
    for (let attempt = 0; attempt < 40 && found === undefined; attempt += 1) {
      found = await bc.find(entry, signal());
      if (found === undefined)
        expect((await failureOf(bc.deliver(entry, signal())))?.failureClass).toBe('unknown_outcome');
    }
    expect(found).toBeDefined();
    expect(ledger().transactionsPerDocument.get(entry.externalId)).toBe(1);
    expect(ledger().dimensionSetsPerDocument.get(entry.externalId)).toEqual(['AREA=30,DEPARTMENT=SALES']);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBeGreaterThan(2 * entry.lines.length);
  });

  it('corrects the dimension values a refused version of the posting left on its lines, then posts once', async () => {
    const [plain] = bcPeriodEntries(1, 'DFIX') as [JournalEntry];
    const refused = withDimensions(
      { ...plain, lines: plain.lines.map((line, i) => (i === 1 ? { ...line, account: '49900' } : line)) },
      { department: 'PROD', location: '10' },
    );
    const failure = await failureOf(connector(MAPPED).deliver(refused, signal()));
    expect(failure?.detail.code).toBe('Application_FieldValidationException');
    expect(emulator.entities().dimensionSetLines).toHaveLength(2 * plain.lines.length);
    const fixed = withDimensions(plain, { department: 'SALES', location: '10' });
    await connector(MAPPED).deliver(fixed, signal());
    expect(dimensionsOf(plain.externalId)).toEqual(plain.lines.map(() => ({ AREA: '10', DEPARTMENT: 'SALES' })));
    expect(ledger().transactionsPerDocument.get(plain.externalId)).toBe(1);
  });

  it('refuses a dimension value BC does not know in its own words, and posts nothing', async () => {
    const entry = withDimensions((bcPeriodEntries(1, 'DBAD') as [JournalEntry])[0], {
      department: 'MARKETING',
      location: '30',
    });
    const failure = await failureOf(connector(MAPPED).deliver(entry, signal()));
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'Application_DialogException' },
    });
    expect(failure?.detail.targetText).toContain('The \\"valueCode\\" does not match to a Dimension Value.');
    expect(emulator.ledger()).toEqual([]);
  });

  it('refuses before any request a dimension the settings map nowhere, two on one BC dimension, a value past Code[20]', async () => {
    const [entry] = bcPeriodEntries(1, 'DMAP') as [JournalEntry];
    const before = emulator.stats();
    const cases: Array<[Record<string, unknown>, Record<string, string>]> = [
      [MAPPED, { class: 'A' }],
      [{ dimensions: { department: 'DEPARTMENT', class: 'DEPARTMENT' } }, { department: 'SALES', class: 'ADM' }],
      [MAPPED, { department: 'X'.repeat(21) }],
    ];
    for (const [settings, dimensions] of cases)
      expect(await failureOf(connector(settings).deliver(withDimensions(entry, dimensions), signal()))).toMatchObject({
        failureClass: 'invalid',
        detail: { path: 'lines[0].dimensions' },
      });
    expect(emulator.stats()).toEqual(before);
  });
});

describe('Business Central credentials and companies', () => {
  it('classifies a wrong client secret as auth, with Entra AADSTS code and text, and posts nothing', async () => {
    const [entry] = bcPeriodEntries(1, 'AUTH') as [JournalEntry];
    const failure = await failureOf(
      connector({}, async () => JSON.stringify({ clientSecret: 'wrong' })).deliver(entry, signal()),
    );
    expect(failure).toMatchObject({ failureClass: 'auth', detail: { status: 401, code: 'AADSTS7000215' } });
    expect(failure?.detail.targetText).toContain('Invalid client secret provided');
    expect(failure?.message).not.toContain('wrong');
    expect(emulator.stats().requests).toBe(0);
  });

  it('names a missing or malformed secret without quoting it', async () => {
    const [entry] = bcPeriodEntries(1, 'SEC') as [JournalEntry];
    const failure = await failureOf(connector({}, async () => 'not json: hunter2').deliver(entry, signal()));
    expect(failure).toMatchObject({ failureClass: 'auth' });
    expect(failure?.message).toContain('clientSecret');
    expect(failure?.message).not.toContain('hunter2');
  });

  it('replaces a token BC no longer accepts and delivers with a new one', async () => {
    const [first, second] = bcPeriodEntries(2, 'TOK') as [JournalEntry, JournalEntry];
    const context = createBusinessCentralContext();
    const bc = createBusinessCentralConnector(bcTarget(emulator), bcSecret(emulator), context);
    await bc.deliver(first, signal());
    expect(emulator.revokeTokens()).toBeGreaterThan(0);
    await bc.deliver(second, signal());
    expect(context.tokens.requests).toBe(2);
    expect(ledger().transactionsPerDocument.get(second.externalId)).toBe(1);
  });

  it('classifies an unknown company as a target to fix (auth), with BC code and text', async () => {
    const [entry] = bcPeriodEntries(1, 'CO') as [JournalEntry];
    const failure = await failureOf(
      connector({ companyId: '00000000-1111-4222-8333-444444444444' }).deliver(entry, signal()),
    );
    expect(failure).toMatchObject({ failureClass: 'auth', detail: { status: 404, code: 'Internal_CompanyNotFound' } });
    expect(failure?.detail.targetText).toContain('cannot be found');
  });

  it('classifies an unreachable token endpoint as unavailable: nothing was posted', async () => {
    const [entry] = bcPeriodEntries(1, 'DOWN') as [JournalEntry];
    const failure = await failureOf(
      connector({ tokenEndpoint: 'http://127.0.0.1:9/t/oauth2/v2.0/token' }).deliver(entry, signal()),
    );
    expect(failure?.failureClass).toBe('unavailable');
  });
});
