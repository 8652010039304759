-- Issue 13: the weight-only algorithm (rtn|gptq|awq|hqq) with GPTQ's dampening and act-order, SmoothQuant's alpha
-- for int8-static (a number in [0,1] or 'auto'), and the bits-per-weight target of int4-weight mixed precision.
-- All nullable: a recipe written before these existed means the defaults (rtn; no smoothing; no target), and its
-- canonical JSON, and so its hash, leaves fields at their defaults out.
alter table recipe add column algorithm varchar(8);
alter table recipe add column gptq_damp double precision;
alter table recipe add column act_order boolean;
alter table recipe add column smooth_quant_alpha varchar(16);
alter table recipe add column target_bits_per_weight double precision;

-- Existing weight-only recipes were round-to-nearest, the only algorithm there was.
update recipe set algorithm = 'rtn' where method in ('int4-weight', 'int8-weight');
