-- A job's history as people read it on its page: who claimed each attempt, every distinct progress
-- message a worker sent, cancels, failures and re-queues. The job row keeps only the latest message;
-- the audit chain records state changes but not progress. Append-only, one row per change.

create table job_log (
    id        bigint generated always as identity primary key,
    job_id    uuid          not null references job (id),
    attempt   integer       not null,
    logged_at timestamptz   not null,
    level     varchar(8)    not null check (level in ('INFO', 'WARN', 'ERROR')),
    message   varchar(4000) not null
);
-- A job page reads its own lines in order.
create index job_log_job_idx on job_log (job_id, id);
