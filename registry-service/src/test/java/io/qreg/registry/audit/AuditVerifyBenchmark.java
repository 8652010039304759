package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Verifying 1,000,000 audit events against their signed tree heads (issue 11: at most 10 s), with the
 * hash-chain walk that verify used to be as the baseline, both over the same events in the same run.
 * The events are real (chain hashes by {@link AuditEvent#computeHash}) and loaded with COPY so seeding
 * takes seconds; the registry's own signer then signs a head every 1,000 of them, as it would live.
 * Runs only when asked: {@code bench/audit-verify.sh}.
 */
class AuditVerifyBenchmark extends IntegrationTest {

    private static final int EVENTS = Integer.getInteger("bench.events", 1_000_000);
    private static final int REPS = Integer.getInteger("bench.reps", 3);

    @Autowired
    AuditVerifier verifier;
    @Autowired
    TreeHeadSigner signer;

    @Test
    void verifyAMillionEventsAgainstTheirTreeHeads() throws Exception {
        long seedStart = System.nanoTime();
        seed(EVENTS);
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
        long signStart = System.nanoTime();
        signer.signNow().orElseThrow();
        double signSeconds = (System.nanoTime() - signStart) / 1e9;
        long total = jdbc.queryForObject("select count(*) from audit_event", Long.class);
        long heads = jdbc.queryForObject("select count(*) from audit_tree_head", Long.class);

        List<Double> verify = new ArrayList<>();
        List<Double> chain = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        for (int rep = 0; rep < REPS; rep++) {
            long start = System.nanoTime();
            ChainVerification result = verifier.verify();
            verify.add((System.nanoTime() - start) / 1e9);
            assertThat(result.valid()).as(String.valueOf(result.firstBrokenLink())).isTrue();
            assertThat(result.anchoredTreeSize()).isEqualTo(total);
            start = System.nanoTime();
            assertThat(chainWalk()).isEqualTo(total);
            chain.add((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            assertThat(readOnly()).isEqualTo(total);
            read.add((System.nanoTime() - start) / 1e9);
        }
        String report = """
                | what | events | runs (s) | median (s) | target | verdict |
                |---|---:|---|---:|---|---|
                | verify against %d signed tree heads (new) | %d | %s | %.2f | <= 10 s | %s |
                | hash-chain walk, the old verify (baseline) | %d | %s | %.2f | - | - |
                | reading the events alone, no hashing (floor) | %d | %s | %.2f | - | - |

                seeding by COPY: %.1f s; signing the %d heads: %.1f s
                """.formatted(heads, total, runs(verify), median(verify), median(verify) <= 10 ? "PASS" : "FAIL",
                total, runs(chain), median(chain), total, runs(read), median(read), seedSeconds, heads, signSeconds);
        Path out = Path.of("target", "bench", "audit-verify.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    /** The verify this change replaced: every event's chain hash recomputed, in order. */
    private long chainWalk() {
        JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
        streaming.setFetchSize(1000);
        long[] counted = {0};
        String[] previous = {AuditEvent.GENESIS};
        streaming.query("select * from audit_event order by seq", (ResultSet rs) -> {
            AuditEvent event = AuditEvents.ROW_MAPPER.mapRow(rs, 0);
            if (event.prevHash().equals(previous[0]) && event.hash().equals(event.computeHash())) {
                counted[0]++;
            }
            previous[0] = event.hash();
        });
        return counted[0];
    }

    /** What any check pays before hashing anything: streaming the rows out of PostgreSQL into events. */
    private long readOnly() {
        JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
        streaming.setFetchSize(1000);
        long[] counted = {0};
        streaming.query("select * from audit_event order by seq", (ResultSet rs) -> {
            if (AuditEvents.ROW_MAPPER.mapRow(rs, 0).seq() > 0) {
                counted[0]++;
            }
        });
        return counted[0];
    }

    /** Appends {@code count} chained events after the newest one, by COPY in chunks of 100,000. */
    private void seed(int count) throws Exception {
        AuditEvent last = jdbc.query("select * from audit_event order by seq desc limit 1", AuditEvents.ROW_MAPPER).get(0);
        String previous = last.hash();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (Connection c = jdbc.getDataSource().getConnection()) {
            for (int from = 1; from <= count; from += 100_000) {
                StringBuilder rows = new StringBuilder(100_000 * 420);
                for (int i = from; i < from + 100_000 && i <= count; i++) {
                    long seq = last.seq() + i;
                    String details = CanonicalJson.write(Map.of("seed", true, "n", i));
                    AuditEvent unhashed = new AuditEvent(seq, UUID.randomUUID(), at.plusMillis(i), "seed",
                            "model.viewed", "model", "seed-" + (i % 500), null, CanonicalJson.sha256(Map.of("n", i)),
                            details, previous, null);
                    String hash = unhashed.computeHash();
                    rows.append(seq).append('\t').append(unhashed.id()).append('\t').append(unhashed.occurredAt())
                            .append("\tseed\tmodel.viewed\tmodel\t").append(unhashed.subjectId()).append("\t\\N\t")
                            .append(unhashed.afterDigest()).append('\t').append(details).append('\t').append(previous)
                            .append('\t').append(hash).append('\n');
                    previous = hash;
                }
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy audit_event (seq, id, occurred_at, actor,"
                        + " action, subject_type, subject_id, before_digest, after_digest, details, prev_hash, hash)"
                        + " from stdin", new StringReader(rows.toString()));
            }
        }
    }

    private static String runs(List<Double> seconds) {
        return String.join(", ", seconds.stream().map(s -> "%.2f".formatted(s)).toList());
    }

    private static double median(List<Double> seconds) {
        List<Double> sorted = seconds.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
