package io.qreg.registry.deployment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.SqlTimestamps;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/**
 * Loads and saves deployments with plain SQL: the row locks ({@code for update}) that serialize
 * every change to what a deployment serves, and jsonb columns for its environments, tiers and
 * metrics. Rows carry the model's id; {@link ModelService#nameOf} (cached) supplies its name.
 */
@Repository
@RequiredArgsConstructor
class Deployments {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<List<TierView>> TIERS = new TypeReference<>() {
    };
    private static final TypeReference<List<CanaryMetric>> METRICS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ModelService models;

    /** Throws {@link org.springframework.dao.DuplicateKeyException} if the name is taken. */
    void insert(UUID id, String name, UUID modelId, String description, List<String> environments,
            List<String> withoutApproval, List<TierView> tiers, List<CanaryMetric> metrics, Instant now) {
        jdbc.update("""
                insert into deployment (id, name, model_id, description, environments, environments_without_approval,
                                        tiers, created_at, created_by)
                values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)""",
                id, name, modelId, description, CanonicalJson.write(environments),
                CanonicalJson.write(withoutApproval), CanonicalJson.write(tiers), Timestamp.from(now),
                CurrentUser.username());
        jdbc.update("update deployment set metrics = ?::jsonb where id = ?", CanonicalJson.write(metrics), id);
    }

    Optional<DeploymentView> find(String name) {
        return jdbc.query("select * from deployment where name = ?", this::map, name).stream().findFirst();
    }

    Optional<DeploymentView> find(UUID id) {
        return jdbc.query("select * from deployment where id = ?", this::map, id).stream().findFirst();
    }

    /** Reads the deployment and holds its row lock to the end of the caller's transaction. */
    Optional<DeploymentView> lock(String name) {
        return jdbc.query("select * from deployment where name = ? for update", this::map, name).stream()
                .findFirst();
    }

    Optional<DeploymentView> lock(UUID id) {
        return jdbc.query("select * from deployment where id = ? for update", this::map, id).stream()
                .findFirst();
    }

    /** Every deployment of the model, row-locked in name order (one order for every caller: no deadlock). */
    List<DeploymentView> lockAllOfModel(UUID modelId) {
        return jdbc.query("select * from deployment where model_id = ? order by name for update", this::map,
                modelId);
    }

    /** A page in name order, of the model unless {@code modelId} is null; archived ones when {@code archived}. */
    Page<DeploymentView> page(UUID modelId, boolean archived, Pageable pageable) {
        List<Object> args = new ArrayList<>(List.of(archived));
        String where = " where (archived_at is not null) = ?";
        if (modelId != null) {
            where += " and model_id = ?";
            args.add(modelId);
        }
        Long total = jdbc.queryForObject("select count(*) from deployment" + where, Long.class, args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<DeploymentView> items = jdbc.query("select * from deployment" + where
                + " order by name limit ? offset ?", this::map, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    void setArchival(UUID id, Archival after) {
        jdbc.update("update deployment set archived_at = ?, archived_by = ? where id = ?",
                SqlTimestamps.timestamp(after.archivedAt()), after.archivedBy(), id);
    }

    boolean exists(String name) {
        return !jdbc.queryForList("select 1 from deployment where name = ?", Integer.class, name).isEmpty();
    }

    private DeploymentView map(ResultSet rs, int row) throws SQLException {
        UUID modelId = rs.getObject("model_id", UUID.class);
        return new DeploymentView(rs.getObject("id", UUID.class), rs.getString("name"), models.nameOf(modelId),
                modelId, rs.getString("description"),
                CanonicalJson.mapper().readValue(rs.getString("environments"), STRINGS),
                CanonicalJson.mapper().readValue(rs.getString("environments_without_approval"), STRINGS),
                CanonicalJson.mapper().readValue(rs.getString("tiers"), TIERS),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"),
                CanonicalJson.mapper().readValue(rs.getString("metrics"), METRICS), Archival.of(rs));
    }
}
