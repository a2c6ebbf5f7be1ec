-- The adaptive request rate of each target, shared by every dispatcher process like its concurrency cap.
-- A 429 without a Retry-After cuts the rate at most once per throttle window (when the target last cut it
-- is kept), by the share of requests the target refused since the previous cut (the two counters);
-- successes raise it back step by step to the configured limit. A null rate is the configured limit.
alter table posting_targets add column request_rate double precision;
alter table posting_targets add column throttled_at timestamptz;
alter table posting_targets add column accepted_since_cut integer not null default 0;
alter table posting_targets add column refused_since_cut integer not null default 0;
-- A process that found the target's cap full, and when: while it waits, a process already holding claims
-- on the target leaves it one place, so several dispatcher processes share a busy target.
alter table posting_targets add column waiting_claimer text;
alter table posting_targets add column waiting_since timestamptz;
