-- Issue 14, items 2 and 3: one artifact per identical run, and reproductions of a variant.
--
-- job.force: the submitter asked for a new variant even if an identical run already made one.
-- job.reused: the job SUCCEEDED by returning an existing variant (job.variant_id) instead of running.
-- job.reproduces_variant_id: a QUANTIZE job re-running the variant's quantization to compare bytes; it makes no
-- variant of its own (its outcome is a variant_reproduction row).
alter table job add column force boolean not null default false;
alter table job add column reused boolean not null default false;
alter table job add column reproduces_variant_id uuid references variant (id);

-- Reuse looks variants up by checkpoint, then by the lineage it recorded (recipe, calibration set, engine).
create index variant_checkpoint_idx on variant (checkpoint_id, created_at);

-- One row per finished reproduction: who re-ran it, with which engine, what came out, and whether the bytes are
-- the variant's. The new bytes themselves are not kept (their digest is).
create table variant_reproduction (
    job_id               uuid primary key references job (id),
    variant_id           uuid         not null references variant (id),
    worker_id            uuid         not null references worker (id),
    worker_name          varchar(200) not null,
    engine_version       varchar(64),
    onnx_runtime_version varchar(64),
    sha256               varchar(64)  not null,
    size_bytes           bigint       not null,
    identical            boolean      not null,
    reproduced_at        timestamptz  not null
);
create index variant_reproduction_variant_idx on variant_reproduction (variant_id, reproduced_at desc);
