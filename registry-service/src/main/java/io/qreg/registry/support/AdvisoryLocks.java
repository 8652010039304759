package io.qreg.registry.support;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * PostgreSQL's transaction-scoped advisory locks, the one way the registry serialises writers that no row lock
 * covers (the next version number of a recipe, an alias being re-pointed, a blob being stored, the audit chain's
 * next event). Each is held until the caller's transaction ends, so it must be taken inside one.
 */
@Component
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class AdvisoryLocks {

    private final JdbcTemplate jdbc;

    /** Takes the lock named {@code key} (hashed by PostgreSQL's {@code hashtext}), e.g. {@code recipe:int8}. */
    public void lock(String key) {
        jdbc.queryForObject("select pg_advisory_xact_lock(hashtext(?))::text", String.class, key);
    }

    /** Takes the lock with the numeric {@code key}. */
    public void lock(long key) {
        jdbc.queryForObject("select pg_advisory_xact_lock(?)::text", String.class, key);
    }
}
