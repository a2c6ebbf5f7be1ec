-- Prepaid credits and commits (docs/credits.md). A commit is invoiced once as a `commitment` line; every
-- invoice whose period a credit covers draws it down with a negative `credit` line. Both lines name the
-- credit, so its balance is its amount less the credit lines of invoices that are not void: no separate
-- ledger to drift from what invoices say.
alter table invoice_lines drop constraint invoice_lines_kind_check;
alter table invoice_lines add constraint invoice_lines_kind_check
  check (kind in ('usage', 'flat_fee', 'discount', 'adjustment', 'tax', 'commitment', 'credit'));
alter table invoice_lines add column credit_key text;
alter table invoice_lines add constraint credit_lines_name_their_credit
  check ((kind in ('commitment', 'credit')) = (credit_key is not null));
create index invoice_lines_by_credit on invoice_lines (credit_key) where credit_key is not null;
