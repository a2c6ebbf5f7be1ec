import { Decimal } from 'decimal.js';

// What is applied to each invoice: the credit memos applied to it (each memo's amount per invoice, as
// its `apply` sublist says) and the payments recorded against it. An invoice's `amountRemaining` is its
// total less both. A memo written again replaces its applications whole, as editing its apply sublist
// does in NetSuite, so a memo upserted twice is never counted twice.

export interface Application {
  /** The invoice's internal id. */
  doc: string;
  amount: Decimal;
}

export class CreditLedger {
  /** Invoice id -> memo id -> amount applied. */
  private readonly credits = new Map<string, Map<string, Decimal>>();
  /** Memo id -> what it applies. */
  private readonly byMemo = new Map<string, Application[]>();
  private readonly payments = new Map<string, Decimal>();

  /** Credits and payments applied to the invoice. */
  applied(invoiceId: string): Decimal {
    let sum = this.payments.get(invoiceId) ?? new Decimal(0);
    for (const amount of this.credits.get(invoiceId)?.values() ?? []) sum = sum.plus(amount);
    return sum;
  }

  /** What one memo applies to the invoice (given back when the memo is written again). */
  appliedBy(invoiceId: string, memoId: string): Decimal {
    return this.credits.get(invoiceId)?.get(memoId) ?? new Decimal(0);
  }

  /** What the memo applies, in its order. */
  applicationsOf(memoId: string): readonly Application[] {
    return this.byMemo.get(memoId) ?? [];
  }

  /** The memo's applications from now on, replacing what it applied before. */
  replace(memoId: string, applications: readonly Application[]): void {
    for (const old of this.byMemo.get(memoId) ?? []) this.credits.get(old.doc)?.delete(memoId);
    this.byMemo.set(memoId, [...applications]);
    for (const { doc, amount } of applications) {
      const onInvoice = this.credits.get(doc) ?? new Map<string, Decimal>();
      onInvoice.set(memoId, amount);
      this.credits.set(doc, onInvoice);
    }
  }

  pay(invoiceId: string, amount: Decimal): void {
    this.payments.set(invoiceId, (this.payments.get(invoiceId) ?? new Decimal(0)).plus(amount));
  }

  clear(): void {
    this.credits.clear();
    this.byMemo.clear();
    this.payments.clear();
  }
}
