import { describe, expect, it } from 'vitest';
import { DeliveryFailure, type Connector, type ListedDocument, type TargetDefinition } from '../connectors/index.js';
import { reconcileListing } from './listing-stage.js';
import { createTargetPace } from './target-pace.js';
import type { NewMismatch } from './reconciliation.js';

// What a target lists against the postings the store has: an id of Meterbridge's shape no posting has, one
// id held twice, and documents of the ledger's other users, which are none of Meterbridge's business.

const target = { key: 'ledger', kind: 'netsuite', settings: {}, limits: { requestsPerSecond: 5, concurrency: 1 } };

function lister(listed: ListedDocument[] | Error): Connector {
  return {
    target: target as TargetDefinition,
    deliver: () => Promise.reject(new Error('not used')),
    find: async () => undefined,
    listHeld: async () => {
      if (listed instanceof Error) throw listed;
      return listed;
    },
  };
}

const scope = { from: '2026-10-01', to: '2026-11-05' };

async function findings(listed: ListedDocument[] | Error, known: string[]) {
  const found: NewMismatch[] = [];
  const unverified = await reconcileListing(
    'ledger',
    lister(listed),
    scope,
    async (_target, ids) => new Set(ids.filter((id) => known.includes(id))),
    (mismatch) => found.push(mismatch),
    createTargetPace(1000, async () => {}),
  );
  return { found, unverified };
}

describe('what a target lists that no posting explains', () => {
  it('reports an id of Meterbridge’s shape no posting has, and one id held twice; ignores everyone else’s', async () => {
    const { found, unverified } = await findings(
      [
        { id: '1', externalId: 'J-AAAAAAAAAAAAAA', type: 'Journal', total: '10' },
        { id: '2', externalId: 'J-BBBBBBBBBBBBBB', type: 'Journal', total: '20' },
        { id: '3', externalId: 'J-BBBBBBBBBBBBBB', type: 'CustInvc', total: '20' },
        { id: '4', externalId: null, type: 'Journal' },
        { id: '5', externalId: 'SALESFORCE-42', type: 'CustInvc' },
      ],
      ['J-BBBBBBBBBBBBBB'],
    );
    expect(unverified).toBeUndefined();
    expect(found.map((mismatch) => [mismatch.class, mismatch.externalId, mismatch.actual])).toEqual([
      ['unknown_document_in_target', 'J-AAAAAAAAAAAAAA', '10'],
      ['duplicate_in_target', 'J-BBBBBBBBBBBBBB', '2'],
    ]);
    expect(found[1]?.detail).toBe('ledger holds 2 documents under external id J-BBBBBBBBBBBBBB: Journal 2, CustInvc 3');
  });

  it('leaves the target unverified when it cannot be listed', async () => {
    const { found, unverified } = await findings(new DeliveryFailure('unavailable', 'the ERP is down'), []);
    expect(found).toEqual([]);
    expect(unverified).toEqual({
      targetKey: 'ledger',
      reason: "listing ledger's documents from 2026-10-01 to 2026-11-05 failed: the ERP is down",
      postingsUnread: 0,
    });
  });
});
