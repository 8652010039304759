-- Issue 14 items 4 and 5.
--
-- A dataset version may name its slices: slice_names is a JSON array of strings, the name of slice id i at
-- index i (from the upload metadata's sliceNames). Null: the slices are known by their ids only.
alter table dataset add column slice_names jsonb;

-- A model's per-slice thresholds: {"<slice name>": {"maxAccuracyDrop": 0.005}}. Null: none.
alter table model_policy add column slice_thresholds jsonb;

-- A benchmark's 95 % bootstrap interval (percentile bootstrap over interleaved rounds) of the variant's speed-up
-- and the upper bound of its p99 latency; speedup_noisy when the interval is wider than 10 % of the estimate.
-- Null on benchmarks recorded before intervals existed (their gates use the point estimate, and say so).
alter table benchmark add column speedup_low         double precision;
alter table benchmark add column speedup_high        double precision;
alter table benchmark add column latency_p99_high_ms double precision;
alter table benchmark add column speedup_noisy       boolean;
