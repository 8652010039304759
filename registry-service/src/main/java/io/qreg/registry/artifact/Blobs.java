package io.qreg.registry.artifact;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import io.qreg.registry.support.AdvisoryLocks;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/**
 * The {@code blob} rows that say which stored bytes are committed, and the advisory lock that keeps
 * a blob file and its row appearing and disappearing together, in plain SQL.
 */
@Repository
@RequiredArgsConstructor
class Blobs {

    private final JdbcTemplate jdbc;
    private final AdvisoryLocks locks;

    /** Takes the transaction-scoped advisory lock keyed by the digest; held until the transaction ends. */
    void lock(String sha256) {
        long key = Long.parseUnsignedLong(sha256.substring(0, 15), 16);
        locks.lock(key);
    }

    /** Records the blob; a row already there (the same bytes uploaded before) is kept as it is. */
    void insert(String sha256, long sizeBytes, Instant at) {
        jdbc.update("insert into blob (sha256, size_bytes, created_at) values (?, ?, ?) on conflict do nothing",
                sha256, sizeBytes, Timestamp.from(at));
    }

    boolean exists(String sha256) {
        Integer rows = jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class, sha256);
        return rows != null && rows != 0;
    }

    List<String> allDigests() {
        return jdbc.queryForList("select sha256 from blob", String.class);
    }
}
