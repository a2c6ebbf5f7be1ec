-- In-advance flat fees are billed one period ahead, so a subscription that ends or changes plan inside a
-- period it already paid for is trued up on that period's own invoice. The invoice records what the
-- period's in-advance fees come to (per charge key, decimal text) whenever another document bills them;
-- finalizing checks that the documents billing them add up to it.
alter table invoices add column advance_fees jsonb not null default '{}'::jsonb;
