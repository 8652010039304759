-- Deployments and their tiers, the rollouts that move a variant (or the FP32 checkpoint) into a
-- tier, the canary health reports, every revision of the routing config gateways poll, and which
-- revision each gateway acknowledged.

create table deployment (
    id           uuid primary key,
    name         varchar(63)   not null unique,
    model_id     uuid          not null references model (id),
    description  varchar(4000),
    -- ["staging", "production"]
    environments jsonb         not null,
    -- [{name, precision, headers, edge, default}] in routing order (the default tier last)
    tiers        jsonb         not null,
    created_at   timestamptz   not null,
    created_by   varchar(64)   not null
);

-- A tier's stable backend is the candidate of its last COMPLETED rollout; an active rollout's
-- candidate is its canary (or shadow). A rollback therefore changes nothing but the canary.
create table rollout (
    id                     uuid primary key,
    deployment_id          uuid          not null references deployment (id),
    environment            varchar(63)   not null,
    tier                   varchar(63)   not null,
    variant_id             uuid references variant (id),
    checkpoint_id          uuid references checkpoint (id),
    precision              varchar(8)    not null,
    sha256                 varchar(64)   not null,
    previous_variant_id    uuid references variant (id),
    previous_checkpoint_id uuid references checkpoint (id),
    previous_precision     varchar(8),
    previous_sha256        varchar(64),
    approval_id            uuid,
    -- who signed the approval, as the gate answered at the start and at each advance
    signed_by              jsonb         not null default '[]',
    evidence_digest        varchar(64),
    steps                  jsonb         not null,
    step_index             integer       not null,
    phase                  varchar(16)   not null
        check (phase in ('PROGRESSING', 'PAUSED', 'COMPLETED', 'ROLLED_BACK')),
    thresholds             jsonb         not null,
    reason                 varchar(1000),
    created_at             timestamptz   not null,
    created_by             varchar(64)   not null,
    updated_at             timestamptz   not null,
    finished_at            timestamptz,
    constraint rollout_one_backend check ((variant_id is null) <> (checkpoint_id is null))
);
-- At most one active rollout per tier, whatever races the API sees.
create unique index rollout_one_active_idx on rollout (deployment_id, environment, tier)
    where phase in ('PROGRESSING', 'PAUSED');
create index rollout_tier_idx on rollout (deployment_id, environment, tier, finished_at desc);

create table rollout_health (
    id             uuid primary key,
    rollout_id     uuid             not null references rollout (id),
    step_index     integer          not null,
    error_rate     double precision,
    p99_latency_ms double precision,
    quality_proxy  double precision,
    -- the metrics that crossed a threshold: [{metric, value, threshold}]
    breaches       jsonb            not null,
    reported_at    timestamptz      not null,
    reported_by    varchar(64)      not null
);
create index rollout_health_rollout_idx on rollout_health (rollout_id, reported_at);

-- The exact bytes served for each revision (the ETag is their sha256), so history and diffs
-- read what gateways were given.
create table routing_revision (
    deployment_id uuid          not null references deployment (id),
    environment   varchar(63)   not null,
    revision      bigint        not null check (revision >= 1),
    body          varchar       not null,
    etag          varchar(80)   not null,
    -- sha256 of the routes alone (rules and rollout, without revision and generatedAt)
    routes_digest varchar(64)   not null,
    created_at    timestamptz   not null,
    primary key (deployment_id, environment, revision)
);
create index routing_revision_time_idx on routing_revision (deployment_id, environment, created_at);

create table routing_gateway (
    deployment_id uuid          not null references deployment (id),
    environment   varchar(63)   not null,
    gateway       varchar(128)  not null,
    revision      bigint        not null,
    acked_at      timestamptz   not null,
    acked_by      varchar(64)   not null,
    primary key (deployment_id, environment, gateway)
);
