-- Two acceptance thresholds on the evaluation metrics that compare a variant with its checkpoint:
-- a language model's mean KL divergence (metric meanKld, nats) and a classifier's flip rate
-- (metric flipRate, fraction). Null, as for the other thresholds, means not checked.
alter table model_policy add column max_mean_kld  double precision;
alter table model_policy add column max_flip_rate double precision;
