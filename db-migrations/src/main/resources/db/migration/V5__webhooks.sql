-- Webhooks: subscriptions, and a transactional outbox of events and their per-subscription deliveries.

create table webhook_subscription (
    id          uuid primary key,
    url         varchar(2048) not null,
    -- Event types such as 'variant.ready', or '*' for every event.
    events      text[]        not null check (cardinality(events) > 0),
    -- Kept as given: signing needs the key itself, so it cannot be stored hashed. Never returned after creation.
    secret      varchar(256)  not null,
    description varchar(500),
    created_at  timestamptz   not null,
    created_by  varchar(64)   not null,
    deleted_at  timestamptz,
    deleted_by  varchar(64)
);
create index webhook_subscription_active_idx on webhook_subscription (created_at desc) where deleted_at is null;

create table webhook_event (
    id           uuid primary key,
    type         varchar(64)  not null,
    subject_type varchar(64)  not null,
    subject_id   varchar(200) not null,
    occurred_at  timestamptz  not null,
    -- The exact bytes signed and sent on every attempt. Not jsonb: jsonb reorders keys and would
    -- change the bytes, and with them the signature receivers check.
    payload      text         not null
);
create index webhook_event_subject_idx on webhook_event (subject_type, subject_id);

create table webhook_delivery (
    id               uuid primary key,
    subscription_id  uuid        not null references webhook_subscription (id),
    event_id         uuid        not null references webhook_event (id),
    status           varchar(16) not null
        check (status in ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'CANCELLED')),
    attempts         integer     not null default 0,
    max_attempts     integer     not null check (max_attempts >= 1),
    next_attempt_at  timestamptz,
    -- While SENDING: who claimed it and until when; an expired lease makes it due again.
    claim_token      uuid,
    lease_expires_at timestamptz,
    last_status_code integer,
    last_error       varchar(1000),
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz not null,
    unique (subscription_id, event_id)
);
-- The dispatcher's claim walks due retries and expired leases.
create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where status = 'PENDING';
create index webhook_delivery_lease_idx on webhook_delivery (lease_expires_at) where status = 'SENDING';
create index webhook_delivery_subscription_idx on webhook_delivery (subscription_id, created_at desc);
create index webhook_delivery_event_idx on webhook_delivery (event_id);
