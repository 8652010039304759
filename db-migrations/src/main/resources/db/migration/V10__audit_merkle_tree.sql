-- Signed tree heads of the audit log's Merkle tree (docs/security.md, "The audit log"). This table is
-- the registry's own copy, for listing and proofs; /api/v1/audit/verify trusts only the write-once
-- copies in the artifact store (anchor_key names one), which whoever holds the database cannot rewrite.
create table audit_tree_head (
    anchor_key  varchar(200) primary key,
    tree_size   bigint       not null check (tree_size >= 0),
    root_hash   varchar(64)  not null,
    signed_at   timestamptz  not null,
    signature   text         not null
);
create index audit_tree_head_newest_idx on audit_tree_head (signed_at desc);
create index audit_tree_head_size_idx on audit_tree_head (tree_size);
