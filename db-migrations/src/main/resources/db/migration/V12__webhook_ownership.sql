-- Webhook subscriptions belong to their creator, and their signing secrets are encrypted at rest.

-- The account that owns the subscription: an ENGINEER sees and deletes only their own, an ADMIN all.
-- Existing subscriptions belong to whoever created them.
alter table webhook_subscription add column owner varchar(64);
update webhook_subscription set owner = created_by;
alter table webhook_subscription alter column owner set not null;
create index webhook_subscription_owner_idx on webhook_subscription (owner, created_at desc) where deleted_at is null;

-- AES-GCM ciphertext of the secret (base64 of nonce, ciphertext and tag), under a key kept outside the
-- database (docs/security.md, "Webhooks"). The plaintext column stays only until the registry's first
-- start after this migration encrypts what it holds, and then is always null.
alter table webhook_subscription add column secret_ciphertext varchar(1024);
alter table webhook_subscription alter column secret drop not null;
alter table webhook_subscription add constraint webhook_subscription_secret_present
    check (secret is not null or secret_ciphertext is not null);
