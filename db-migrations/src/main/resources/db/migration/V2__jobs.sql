-- The job queue: hardware targets, registered workers, jobs with attempts and leases, the
-- results accepted per attempt, and what succeeded jobs produce: variants, evaluations, benchmarks.

create table hardware_target (
    name           varchar(63)  primary key,
    required_flags text[]       not null default '{}',
    labels         jsonb        not null default '{}',
    created_at     timestamptz  not null,
    created_by     varchar(64)  not null
);
-- The built-in target: no flags, no labels, so every worker satisfies it.
insert into hardware_target (name, required_flags, labels, created_at, created_by)
values ('any', '{}', '{}', now(), 'system');

create table worker (
    id               uuid primary key,
    name             varchar(200) not null,
    username         varchar(64)  not null,
    hardware_profile jsonb        not null,
    flags            text[]       not null default '{}',
    labels           jsonb        not null default '{}',
    concurrency      integer      not null default 1,
    registered_at    timestamptz  not null,
    last_seen_at     timestamptz  not null
);

create table job (
    id                          uuid primary key,
    type                        varchar(16)  not null check (type in ('QUANTIZE', 'EVALUATE', 'BENCHMARK')),
    status                      varchar(16)  not null
        check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    checkpoint_id               uuid         not null references checkpoint (id),
    recipe_name                 varchar(63),
    recipe_version              integer,
    calibration_dataset_name    varchar(63),
    calibration_dataset_version integer,
    dataset_name                varchar(63),
    dataset_version             integer,
    -- QUANTIZE: the variant it produced; EVALUATE and BENCHMARK: the variant they measure.
    variant_id                  uuid,
    hardware_target             varchar(63)  not null references hardware_target (name),
    follow_ups                  jsonb        not null default '[]',
    parent_job_id               uuid references job (id),
    attempts                    integer      not null default 0,
    max_attempts                integer      not null check (max_attempts >= 1),
    progress                    double precision not null default 0,
    message                     varchar(1000),
    error                       varchar(4000),
    cancel_requested            boolean      not null default false,
    worker_id                   uuid references worker (id),
    lease_expires_at            timestamptz,
    created_at                  timestamptz  not null,
    created_by                  varchar(64)  not null,
    started_at                  timestamptz,
    finished_at                 timestamptz,
    constraint job_recipe_fk foreign key (recipe_name, recipe_version) references recipe (name, version),
    constraint job_calibration_fk foreign key (calibration_dataset_name, calibration_dataset_version)
        references dataset (name, version),
    constraint job_dataset_fk foreign key (dataset_name, dataset_version) references dataset (name, version)
);
-- The claim query walks queued jobs oldest first; the sweeper walks running leases.
create index job_queued_idx on job (created_at, id) where status = 'QUEUED';
create index job_running_lease_idx on job (lease_expires_at) where status = 'RUNNING';
create index job_status_created_idx on job (status, created_at desc);
create index job_parent_idx on job (parent_job_id);
create index job_worker_idx on job (worker_id) where status = 'RUNNING';

-- A result is accepted once per (job, attempt); a repeat answers with the stored response.
create table job_result (
    job_id     uuid        not null references job (id),
    attempt    integer     not null,
    status     varchar(16) not null,
    response   jsonb       not null,
    created_at timestamptz not null,
    primary key (job_id, attempt)
);

create table variant (
    id            uuid primary key,
    job_id        uuid         not null unique references job (id),
    model_id      uuid         not null references model (id),
    checkpoint_id uuid         not null references checkpoint (id),
    sha256        varchar(64)  not null references blob (sha256),
    size_bytes    bigint       not null,
    method        varchar(16)  not null,
    lineage       jsonb        not null,
    report        jsonb,
    created_at    timestamptz  not null,
    created_by    varchar(64)  not null
);
create index variant_model_idx on variant (model_id, created_at desc);
create index variant_sha_idx on variant (sha256);

alter table job add constraint job_variant_fk foreign key (variant_id) references variant (id);

create table evaluation (
    id                uuid primary key,
    variant_id        uuid        not null references variant (id),
    job_id            uuid        not null unique references job (id),
    dataset_name      varchar(63) not null,
    dataset_version   integer     not null,
    metrics           jsonb       not null,
    reference_metrics jsonb,
    deltas            jsonb,
    slices            jsonb,
    samples           bigint,
    hardware_profile  jsonb,
    created_at        timestamptz not null,
    constraint evaluation_dataset_fk foreign key (dataset_name, dataset_version) references dataset (name, version)
);
create index evaluation_variant_idx on evaluation (variant_id, created_at);

create table benchmark (
    id               uuid primary key,
    variant_id       uuid        not null references variant (id),
    job_id           uuid        not null unique references job (id),
    hardware_target  varchar(63) not null references hardware_target (name),
    hardware_profile jsonb,
    latency_p50_ms   double precision,
    latency_p99_ms   double precision,
    speedup          double precision,
    results          jsonb       not null,
    created_at       timestamptz not null
);
create index benchmark_variant_idx on benchmark (variant_id, created_at);
