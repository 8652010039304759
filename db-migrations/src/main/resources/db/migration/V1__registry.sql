-- The registry's first schema: people and their tokens, the content-addressed blob index,
-- models with their checkpoints, recipes and datasets, and the hash-chained audit trail.

create table app_user (
    id            uuid primary key,
    username      varchar(64)  not null unique,
    password_hash varchar(200),
    roles         varchar(200) not null,
    enabled       boolean      not null default true,
    created_at    timestamptz  not null,
    created_by    varchar(64)  not null
);

create table api_token (
    id           uuid primary key,
    user_id      uuid         not null references app_user (id),
    name         varchar(100) not null,
    token_hash   varchar(64)     not null unique,
    token_prefix varchar(16)  not null,
    created_at   timestamptz  not null,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
create index api_token_user_idx on api_token (user_id);

-- One row per stored blob; checkpoints and datasets that share bytes share the row.
create table blob (
    sha256     varchar(64)    primary key,
    size_bytes bigint      not null check (size_bytes >= 0),
    created_at timestamptz not null
);

create table model (
    id          uuid primary key,
    name        varchar(63)   not null unique,
    task        varchar(32)   not null,
    description varchar(4000),
    owner       varchar(64)   not null,
    risk_tier   varchar(16)   not null,
    created_at  timestamptz   not null,
    created_by  varchar(64)   not null,
    version     bigint        not null default 0
);
create index model_created_idx on model (created_at desc);

create table checkpoint (
    id             uuid primary key,
    model_id       uuid          not null references model (id),
    version        varchar(64)   not null,
    sha256         varchar(64)      not null references blob (sha256),
    size_bytes     bigint        not null,
    ir_version     bigint        not null,
    opset          bigint,
    producer       varchar(200),
    inputs         varchar          not null,
    outputs        varchar          not null,
    license        varchar(200)  not null,
    redistribution varchar(16)   not null,
    source_uri     varchar(2000),
    parent_id      uuid references checkpoint (id),
    created_at     timestamptz   not null,
    created_by     varchar(64)   not null,
    constraint checkpoint_version_unique unique (model_id, version)
);
create index checkpoint_sha_idx on checkpoint (sha256);
create index checkpoint_parent_idx on checkpoint (parent_id);

create table recipe (
    id                 uuid primary key,
    name               varchar(63)  not null,
    version            integer      not null,
    hash               varchar(64)     not null,
    method             varchar(16)  not null,
    per_channel        boolean      not null,
    is_symmetric       boolean      not null,
    block_size         integer,
    calibration_method varchar(16),
    percentile         double precision,
    exclude_nodes      varchar         not null,
    exclude_op_types   varchar         not null,
    accuracy_budget    double precision,
    notes              varchar(4000),
    canonical_json     varchar         not null,
    created_at         timestamptz  not null,
    created_by         varchar(64)  not null,
    constraint recipe_version_unique unique (name, version),
    constraint recipe_hash_unique unique (name, hash)
);

create table dataset (
    id          uuid primary key,
    name        varchar(63)   not null,
    version     integer       not null,
    purpose     varchar(16)   not null,
    description varchar(4000),
    sha256      varchar(64)      not null references blob (sha256),
    size_bytes  bigint        not null,
    format      varchar(8)    not null,
    samples     bigint        not null,
    inputs      varchar          not null,
    has_labels  boolean       not null,
    has_slices  boolean       not null,
    created_at  timestamptz   not null,
    created_by  varchar(64)   not null,
    constraint dataset_version_unique unique (name, version)
);
create index dataset_sha_idx on dataset (sha256);

-- Append-only and hash-chained: each row's hash = sha256(previous hash || canonical content).
create table audit_event (
    seq           bigint       primary key,
    id            uuid         not null unique,
    occurred_at   timestamptz  not null,
    actor         varchar(64)  not null,
    action        varchar(64)  not null,
    subject_type  varchar(32)  not null,
    subject_id    varchar(200) not null,
    before_digest varchar(64),
    after_digest  varchar(64),
    details       text         not null,
    prev_hash     varchar(64)     not null,
    hash          varchar(64)     not null
);
create index audit_subject_idx on audit_event (subject_type, subject_id);
create index audit_occurred_idx on audit_event (occurred_at);

create function audit_event_is_append_only() returns trigger
    language plpgsql as
$$
begin
    raise exception 'audit_event is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_no_update_or_delete
    before update or delete on audit_event
    for each row execute function audit_event_is_append_only();

create trigger audit_event_no_truncate
    before truncate on audit_event
    for each statement execute function audit_event_is_append_only();
