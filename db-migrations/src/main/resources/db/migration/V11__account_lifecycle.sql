-- Accounts can be offboarded (issue 11, item 3).

-- An ADMIN's password reset sets a temporary password the person must replace before doing anything else.
alter table app_user add column must_change_password boolean not null default false;
-- Portal sessions signed in before this instant are over: set when the account is disabled or its
-- password changes, checked on every portal request (across instances, as it lives in the database).
alter table app_user add column sessions_valid_after timestamptz;

-- The token whose bearer created this one; revoking a token revokes every token created with it.
alter table api_token add column parent_token_id uuid references api_token (id);
create index api_token_parent_idx on api_token (parent_token_id) where parent_token_id is not null;
