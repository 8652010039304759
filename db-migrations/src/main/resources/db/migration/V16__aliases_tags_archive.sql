-- Issue 14, item 1: aliases, tags and archiving.

-- Archive, not delete: an archived model, variant or deployment leaves the default lists and can be neither put up
-- for approval nor rolled out, but its row (and so its lineage, audit trail and serving history) stays.
alter table model add column archived_at timestamptz;
alter table model add column archived_by varchar(64);
alter table variant add column archived_at timestamptz;
alter table variant add column archived_by varchar(64);
alter table deployment add column archived_at timestamptz;
alter table deployment add column archived_by varchar(64);

-- A model's named pointers (MLflow 2 aliases, e.g. 'champion'), each at one variant or one checkpoint of the model.
create table model_alias (
    model_id      uuid        not null references model (id),
    alias         varchar(63) not null,
    variant_id    uuid references variant (id),
    checkpoint_id uuid references checkpoint (id),
    updated_at    timestamptz not null,
    updated_by    varchar(64) not null,
    primary key (model_id, alias),
    constraint model_alias_one_target check ((variant_id is null) <> (checkpoint_id is null))
);
create index model_alias_variant_idx on model_alias (variant_id);

-- Key/value tags on models, checkpoints and variants (subject_kind), one value per key and subject.
create table subject_tag (
    id           bigint generated always as identity primary key,
    subject_kind varchar(16)  not null,
    subject_id   uuid         not null,
    tag_key      varchar(63)  not null,
    tag_value    varchar(256) not null,
    updated_at   timestamptz  not null,
    updated_by   varchar(64)  not null,
    constraint subject_tag_one_value unique (subject_kind, subject_id, tag_key),
    constraint subject_tag_kind check (subject_kind in ('model', 'checkpoint', 'variant'))
);
create index subject_tag_filter_idx on subject_tag (subject_kind, tag_key, tag_value);
