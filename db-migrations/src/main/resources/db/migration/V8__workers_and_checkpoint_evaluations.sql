-- A worker that stops says so (POST /api/v1/workers/{id}/deregister): from then on its id gets no job, and the
-- fleet shows it as stopped rather than lost.
alter table worker add column stopped_at timestamptz;

-- An evaluation measures a variant (against its checkpoint) or a checkpoint itself: the FP32 model's own
-- evidence. Exactly one of the two is set.
alter table evaluation alter column variant_id drop not null;
alter table evaluation add column checkpoint_id uuid references checkpoint (id);
alter table evaluation add constraint evaluation_subject_check check ((variant_id is null) <> (checkpoint_id is null));
create index evaluation_checkpoint_idx on evaluation (checkpoint_id, created_at) where checkpoint_id is not null;
