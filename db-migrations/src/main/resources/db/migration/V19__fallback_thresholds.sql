-- Fallback a gateway can act on (issue 14, item 6).
-- The selective-routing curve the worker measures when it evaluates a variant against its checkpoint:
-- {confidence, positions, disagreements, points: [{threshold, traffic, recovery}]}, at most 101 points.
-- Null for embeddings and for evaluations recorded before it existed.
alter table evaluation add column selective_routing jsonb;

-- The operating point a model's policy picks on that curve for its deployments' fallbacks:
-- {"recoverDisagreements": r} or {"maxTraffic": t}; null means none (a tier may still set its own).
alter table model_policy add column fallback jsonb;
