/**
 * A document that cannot be turned into a posting with the catalog as it stands (an account missing), or
 * an entry that does not balance. The catalog's rules refuse the first before it can happen; the second is
 * a defect: both are internal errors naming what was found, and nothing is sent.
 */
export class AccountingError extends Error {
  constructor(
    message: string,
    readonly documentId?: string,
  ) {
    super(documentId ? `${message} (document ${documentId})` : message);
    this.name = 'AccountingError';
  }
}

/** An entry whose debits and credits differ: named with both sums, never stored or sent. */
export class UnbalancedEntryError extends AccountingError {
  constructor(externalId: string, debits: string, credits: string) {
    super(`journal entry ${externalId} does not balance: debits ${debits}, credits ${credits}`);
    this.name = 'UnbalancedEntryError';
  }
}
