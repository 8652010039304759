package io.qreg.registry.approval;

import static io.qreg.registry.support.SqlTimestamps.instant;
import static io.qreg.registry.support.SqlTimestamps.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.policy.Evidence;
import io.qreg.registry.security.Role;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/**
 * Loads and saves approval aggregates with plain SQL. Writes are optimistic: an update names the
 * version it read and fails with {@link StaleApprovalException} when another transaction got there first.
 */
@Repository
@RequiredArgsConstructor
class Approvals {

    private static final TypeReference<List<SignoffRequirement>> REQUIREMENTS = new TypeReference<>() {
    };
    private static final TypeReference<List<IneligibleSigner>> INELIGIBLE = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    /** What a list of approvals is narrowed to; null fields do not narrow. */
    record Filter(ApprovalStatus status, UUID variantId, String deployment, String environment, String tier,
            Signer signer, String requestedBy, UUID checkpointId) {

        Filter(ApprovalStatus status, UUID variantId, String deployment, String environment, String tier,
                Signer signer, String requestedBy) {
            this(status, variantId, deployment, environment, tier, signer, requestedBy, null);
        }
    }

    /** Someone whose inbox is asked for: open requests they may still sign. */
    record Signer(String username, Set<Role> roles) {
    }

    void insert(Approval a) {
        jdbc.update("""
                insert into approval (id, variant_id, checkpoint_id, model_name, deployment, environment, tier, status,
                                      status_reason, required_signoffs, ineligible_signers, evidence, evidence_digest,
                                      verdict_passed, override_reason, failed_checks, requested_by, requested_at,
                                      expires_at, decided_at, version)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)""",
                a.id(), a.variantId(), a.checkpointId(), a.modelName(), a.deployment(), a.environment(), a.tier(), a.status().name(),
                a.statusReason(), CanonicalJson.write(a.required()), CanonicalJson.write(a.ineligible()),
                CanonicalJson.write(a.evidence()), a.evidence().digest(), a.verdictPassed(), a.overrideReason(),
                CanonicalJson.write(a.failedChecks()), a.requestedBy(), timestamp(a.requestedAt()),
                timestamp(a.expiresAt()), timestamp(a.decidedAt()), a.version());
    }

    /**
     * Writes the status, the evidence it stands on, its use and a new sign-off, if the row is still at
     * the version the aggregate was read at.
     */
    void update(Approval a) {
        int updated = jdbc.update("""
                update approval set status = ?, status_reason = ?, decided_at = ?, evidence = ?::jsonb,
                                    evidence_digest = ?, evidence_updated_at = ?, lapsed_checks = ?::jsonb,
                                    used_at = ?, version = version + 1
                 where id = ? and version = ?""",
                a.status().name(), a.statusReason(), timestamp(a.decidedAt()), CanonicalJson.write(a.evidence()),
                a.evidence().digest(), timestamp(a.evidenceUpdatedAt()), CanonicalJson.write(a.lapsedChecks()),
                timestamp(a.usedAt()), a.id(), a.version());
        if (updated == 0) {
            throw new StaleApprovalException(a.id(), a.version());
        }
        a.added().ifPresent(s -> jdbc.update("""
                insert into approval_signoff (approval_id, username, role, decision, comment, signed_at)
                values (?, ?, ?, ?, ?, ?)""",
                a.id(), s.username(), s.role().name(), s.decision().name(), s.comment(), timestamp(s.signedAt())));
    }

    Optional<Approval> find(UUID id) {
        return jdbc.query("select * from approval where id = ?", this::map, id).stream().findFirst();
    }

    /** Open approvals for exactly this target. */
    List<UUID> openFor(ApprovalSubject subject, String deployment, String environment, String tier) {
        return jdbc.queryForList("select id from approval where " + subjectColumn(subject) + " = ? and deployment = ?"
                + " and environment = ? and tier = ? and status in ('PENDING', 'APPROVED')", UUID.class, subject.id(),
                deployment, environment, tier);
    }

    /**
     * Locks the open approvals of a subject (or, with a null subject, of a whole model) to the end of
     * the caller's transaction, so judging them again cannot race a signer into a stale write.
     */
    List<UUID> lockOpen(ApprovalSubject subject, String modelName) {
        if (subject != null) {
            return jdbc.queryForList("select id from approval where " + subjectColumn(subject) + " = ?"
                    + " and status in ('PENDING', 'APPROVED') order by id for update", UUID.class, subject.id());
        }
        return jdbc.queryForList("select id from approval where model_name = ? and status in ('PENDING', 'APPROVED')"
                + " order by id for update", UUID.class, modelName);
    }

    private static String subjectColumn(ApprovalSubject subject) {
        return subject.isVariant() ? "variant_id" : "checkpoint_id";
    }

    /** Open approvals a list with this filter could show, ignoring its status: the ones to bring up to date first. */
    List<UUID> openMatching(Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(new Filter(null, f.variantId(), f.deployment(), f.environment(), f.tier(), f.signer(),
                f.requestedBy(), f.checkpointId()), args) + " and status in ('PENDING', 'APPROVED')";
        return jdbc.queryForList("select id from approval" + where, UUID.class, args.toArray());
    }

    /** The requests the signer may still sign that have not run out of time, counted without loading them. */
    long countAwaiting(Signer signer, Instant now) {
        List<Object> args = new ArrayList<>();
        String where = where(new Filter(null, null, null, null, null, signer, null), args)
                + " and (expires_at > ? or used_at is not null)";
        args.add(timestamp(now));
        Long n = jdbc.queryForObject("select count(*) from approval" + where, Long.class, args.toArray());
        return n == null ? 0 : n;
    }

    Page<Approval> search(Filter f, Pageable pageable) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        Long total = jdbc.queryForObject("select count(*) from approval" + where, Long.class, args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<Approval> items = jdbc.query("select * from approval" + where
                + " order by requested_at desc, id limit ? offset ?", this::map, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    private static String where(Filter f, List<Object> args) {
        StringBuilder where = new StringBuilder(" where true");
        if (f.status() != null) {
            where.append(" and status = ?");
            args.add(f.status().name());
        }
        if (f.variantId() != null) {
            where.append(" and variant_id = ?");
            args.add(f.variantId());
        }
        if (f.checkpointId() != null) {
            where.append(" and checkpoint_id = ?");
            args.add(f.checkpointId());
        }
        for (String[] column : new String[][] {{"deployment", f.deployment()}, {"environment", f.environment()},
                {"tier", f.tier()}, {"requested_by", f.requestedBy()}}) {
            if (column[1] != null) {
                where.append(" and ").append(column[0]).append(" = ?");
                args.add(column[1]);
            }
        }
        if (f.signer() != null) {
            // Pending, not barred, not yet signed by them, and short of approvals in a role they hold.
            where.append(' ').append("""
                     and status = 'PENDING'
                     and not exists (select 1 from jsonb_array_elements(ineligible_signers) i
                                      where i ->> 'username' = ?)
                     and not exists (select 1 from approval_signoff s
                                      where s.approval_id = approval.id and s.username = ?)
                     and exists (select 1 from jsonb_array_elements(required_signoffs) r
                                  where r ->> 'role' = any (?::text[])
                                    and (r ->> 'count')::int > (select count(*) from approval_signoff s
                                                                 where s.approval_id = approval.id
                                                                   and s.role = r ->> 'role'
                                                                   and s.decision = 'APPROVE'))""");
            args.add(f.signer().username());
            args.add(f.signer().username());
            args.add(f.signer().roles().stream().map(Role::name).toArray(String[]::new));
        }
        return where.toString();
    }

    private Approval map(ResultSet rs, int row) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        List<Signoff> signoffs = jdbc.query("""
                select * from approval_signoff where approval_id = ? order by signed_at, username""",
                (s, n) -> new Signoff(s.getString("username"), Role.valueOf(s.getString("role")),
                        Decision.valueOf(s.getString("decision")), s.getString("comment"),
                        s.getTimestamp("signed_at").toInstant()), id);
        return new Approval(id, ApprovalSubject.of(rs.getObject("variant_id", UUID.class),
                rs.getObject("checkpoint_id", UUID.class)), rs.getString("model_name"),
                rs.getString("deployment"), rs.getString("environment"), rs.getString("tier"),
                ApprovalStatus.valueOf(rs.getString("status")), rs.getString("status_reason"),
                read(rs.getString("required_signoffs"), REQUIREMENTS), read(rs.getString("ineligible_signers"),
                        INELIGIBLE),
                CanonicalJson.mapper().readValue(rs.getString("evidence"), Evidence.class),
                instant(rs, "evidence_updated_at"), read(rs.getString("lapsed_checks"), STRINGS),
                rs.getBoolean("verdict_passed"), rs.getString("override_reason"),
                read(rs.getString("failed_checks"), STRINGS), rs.getString("requested_by"),
                instant(rs, "requested_at"), instant(rs, "expires_at"), instant(rs, "decided_at"),
                instant(rs, "used_at"), signoffs, rs.getLong("version"));
    }

    private static <T> T read(String json, TypeReference<T> type) {
        return CanonicalJson.mapper().readValue(json, type);
    }
}
