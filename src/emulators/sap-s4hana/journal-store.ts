// The tenant's posted accounting documents, in memory. Numbers are given per company code and fiscal
// year from 0100000001 on, as SAP's number range for document type SA in a fresh tenant would. SAP keeps
// no key on DocumentReferenceID: a second posting with the same reference is a second document (what a
// client must never cause, and what the conformance suite would see).

export interface StoredItem {
  /** `001`, `002`, ...: AccountingDocumentItem. */
  item: string;
  glAccount: string;
  /** Signed decimal text: negative for a credit (H). */
  amount: string;
  debitCreditCode: 'S' | 'H';
  text: string;
  costCenter: string;
  profitCenter: string;
}

export interface StoredDocument {
  companyCode: string;
  fiscalYear: string;
  accountingDocument: string;
  documentType: string;
  documentReferenceId: string;
  headerText: string;
  createdByUser: string;
  /** YYYY-MM-DD. */
  postingDate: string;
  documentDate: string;
  currency: string;
  companyCodeCurrency: string;
  chartOfAccounts: string;
  items: StoredItem[];
  /** When it was posted, ms since the epoch. */
  postedAtMs: number;
}

export class JournalStore {
  private documents: StoredDocument[] = [];
  private readonly next = new Map<string, number>();

  /** Stores a document and gives it the next number of its company code and fiscal year. */
  post(document: Omit<StoredDocument, 'accountingDocument'>): StoredDocument {
    const key = `${document.companyCode}/${document.fiscalYear}`;
    const number = this.next.get(key) ?? 100_000_001;
    this.next.set(key, number + 1);
    const stored = { ...document, accountingDocument: String(number).padStart(10, '0') };
    this.documents.push(stored);
    return stored;
  }

  all(): readonly StoredDocument[] {
    return this.documents;
  }

  /** Replaces a held document's items (an edit by hand); false when the store does not hold it. */
  replaceItems(held: StoredDocument, items: StoredItem[]): boolean {
    const index = this.documents.indexOf(held);
    if (index < 0) return false;
    this.documents[index] = { ...held, items };
    return true;
  }

  clear(): void {
    this.documents = [];
    this.next.clear();
  }
}
