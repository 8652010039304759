-- Canary analysis (docs/routing.md, "Canary analysis"): a rollout's step advances on intervals
-- judged against its thresholds, not on a person's say-so alone.

-- Prometheus queries judged at every interval: [{name, query, max} | {name, query, min}], the
-- query naming the canary's and the stable backend's clusters as {{canary}} and {{stable}}.
alter table deployment add column metrics jsonb not null default '[]';

-- How many requests a health report stands for (left out: one), so reports combine request-weighted.
alter table rollout_health add column requests bigint check (requests >= 0);

-- The rollout's analysis {intervalSeconds, successfulIntervals, autoAdvance, thresholds} and where
-- the current step's analysis is: the interval being collected, how many intervals in a row have
-- passed, the last judgement in words, and the advances forced past an unfinished analysis.
alter table rollout
    add column analysis            jsonb,
    add column interval_started_at timestamptz,
    add column interval_ends_at    timestamptz,
    add column consecutive_passes  integer       not null default 0 check (consecutive_passes >= 0),
    add column last_judgement      varchar(1000),
    add column forced_advances     jsonb         not null default '[]';

-- Rollouts from before analysis get the defaults; their first interval starts now.
update rollout
   set thresholds = thresholds || '{"minRequests": 1}'::jsonb;
update rollout
   set analysis = jsonb_build_object('intervalSeconds', 60, 'successfulIntervals', 2, 'autoAdvance', true,
                                     'thresholds', thresholds),
       interval_started_at = now(),
       interval_ends_at = now() + interval '60 seconds';
alter table rollout
    alter column analysis set not null,
    alter column interval_started_at set not null,
    alter column interval_ends_at set not null;

-- What the judge looks for about once a second: moving rollouts whose interval has ended.
create index rollout_interval_due_idx on rollout (interval_ends_at) where phase = 'PROGRESSING';

-- One row per judged interval. The unique key makes a second judge of the same interval (another
-- registry instance) fail instead of counting it twice.
create table analysis_interval (
    id                 uuid primary key,
    rollout_id         uuid          not null references rollout (id),
    step_index         integer       not null,
    started_at         timestamptz   not null,
    ended_at           timestamptz   not null,
    outcome            varchar(8)    not null check (outcome in ('PASSED', 'FAILED', 'NO_DATA')),
    -- {reports, requests, errorRate, p99LatencyMs, qualityProxy, metrics: {name: value or null}}
    data               jsonb         not null,
    -- why it did not pass, in words (empty when it passed)
    reasons            jsonb         not null,
    -- the step's passes in a row after this interval
    consecutive_passes integer       not null,
    judged_at          timestamptz   not null,
    constraint analysis_interval_once unique (rollout_id, step_index, started_at)
);
create index analysis_interval_rollout_idx on analysis_interval (rollout_id, step_index, started_at desc);
