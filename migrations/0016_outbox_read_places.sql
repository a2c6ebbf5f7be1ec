-- A read of a target outside a delivery (reconciliation's read-back) holds one of the target's places
-- while it runs, so the dispatcher claims one posting fewer and the account's concurrency limit holds.
alter table posting_targets add column reading_until timestamptz;
