-- A worker that stops says so (POST /api/v1/workers/{id}/deregister): from then on its id gets no job, and the
-- fleet shows it as stopped rather than lost.
alter table worker add column stopped_at timestamptz;
