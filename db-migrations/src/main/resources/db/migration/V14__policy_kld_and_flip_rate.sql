-- Two acceptance thresholds on the evaluation metrics that compare a variant with its checkpoint:
-- a language model's mean KL divergence (metric meanKld, nats) and a classifier's flip rate
-- (metric flipRate, fraction). Null, as for the other thresholds, means not checked.
alter table model_policy add column max_mean_kld  double precision;
alter table model_policy add column max_flip_rate double precision;

-- A classifier's flip rate per class (class id -> {samples, flips, flipRate}), as the worker reports it
-- beside the metrics; null for other tasks and for evaluations recorded before it existed.
alter table evaluation add column flip_rate_by_class jsonb;
