-- Nothing serves without a sign-off: approvals of FP32 checkpoints as well as of variants,
-- approvals that lapse when new evidence or a new policy fails them, environments that a
-- deployment exempts from approval (sandboxes), and what a model's policy does on a lapse.

-- An approval is for a variant or for a checkpoint, never both.
alter table approval alter column variant_id drop not null;
alter table approval add column checkpoint_id uuid references checkpoint (id);
alter table approval add constraint approval_one_subject check ((variant_id is null) <> (checkpoint_id is null));
drop index approval_open_target_idx;
create unique index approval_open_target_idx
    on approval (coalesce(variant_id, checkpoint_id), deployment, environment, tier)
    where status in ('PENDING', 'APPROVED');
create index approval_checkpoint_idx on approval (checkpoint_id);

-- LAPSED: the policy judged newer evidence (or a changed policy) and it fails.
alter table approval drop constraint approval_status_check;
alter table approval add constraint approval_status_check
    check (status in ('PENDING', 'APPROVED', 'REJECTED', 'VOID', 'EXPIRED', 'LAPSED'));
-- When the evidence the approval stands on last changed and still passed.
alter table approval add column evidence_updated_at timestamptz;
-- The checks that failed when it lapsed.
alter table approval add column lapsed_checks jsonb not null default '[]';

-- alert: a lapse is reported; rollback: a lapsed stable backend is replaced by the previous one.
alter table model_policy add column on_lapse varchar(16) not null default 'alert'
    check (on_lapse in ('alert', 'rollback'));

-- Environments whose rollouts need no approval (sandboxes); every other environment needs one.
alter table deployment add column environments_without_approval jsonb not null default '[]';

-- Which backends serve under a given approval (the lapse checks ask it).
create index rollout_approval_idx on rollout (approval_id);

-- When a rollout first moved traffic under the approval: from then on it is in use and its
-- request time-to-live no longer applies (it can still lapse).
alter table approval add column used_at timestamptz;

