-- Governance, part one: a model's own acceptance policy (without one, its risk tier's defaults
-- apply), and approval requests with their sign-offs, bound to the evidence they were made for.

-- A null threshold is not checked.
create table model_policy (
    model_id                      uuid primary key references model (id),
    max_accuracy_drop             double precision,
    max_perplexity_increase_pct   double precision,
    min_top1_agreement            double precision,
    max_worst_slice_accuracy_drop double precision,
    min_speedup                   double precision,
    max_p99_latency_ms            double precision,
    max_memory_mb                 double precision,
    -- null: every hardware target the variant was benchmarked on.
    hardware_targets              jsonb,
    updated_at                    timestamptz not null,
    updated_by                    varchar(64) not null
);

create table approval (
    id                 uuid primary key,
    variant_id         uuid          not null references variant (id),
    model_name         varchar(63)   not null,
    -- Deployments live in another feature; these are checked names, not references.
    deployment         varchar(63)   not null,
    environment        varchar(63)   not null,
    tier               varchar(63)   not null,
    status             varchar(16)   not null
        check (status in ('PENDING', 'APPROVED', 'REJECTED', 'VOID', 'EXPIRED')),
    status_reason      varchar(2000),
    -- [{role, count, rule}]: what the risk tier and the variant's precision demand.
    required_signoffs  jsonb         not null,
    -- Who may never sign: the requester and whoever produced the variant.
    ineligible_signers jsonb         not null,
    evidence           jsonb         not null,
    evidence_digest    varchar(64)   not null,
    verdict_passed     boolean       not null,
    override_reason    varchar(2000),
    failed_checks      jsonb         not null default '[]',
    requested_by       varchar(64)   not null,
    requested_at       timestamptz   not null,
    expires_at         timestamptz   not null,
    decided_at         timestamptz,
    -- Optimistic lock: every change of the row bumps it, and a stale writer retries.
    version            bigint        not null default 0
);
-- One open request per target; a closed one (REJECTED, VOID, EXPIRED) makes room for the next.
create unique index approval_open_target_idx on approval (variant_id, deployment, environment, tier)
    where status in ('PENDING', 'APPROVED');
create index approval_status_idx on approval (status, requested_at desc);
create index approval_variant_idx on approval (variant_id);

-- A person signs a request at most once.
create table approval_signoff (
    approval_id uuid          not null references approval (id),
    username    varchar(64)   not null,
    role        varchar(16)   not null check (role in ('APPROVER', 'RISK_OFFICER')),
    decision    varchar(8)    not null check (decision in ('APPROVE', 'REJECT')),
    comment     varchar(4000),
    signed_at   timestamptz   not null,
    primary key (approval_id, username)
);
