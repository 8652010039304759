package io.qreg.registry.alias;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import io.qreg.registry.model.ModelAlias;
import io.qreg.registry.support.AdvisoryLocks;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/**
 * The {@code model_alias} rows, each assigning one of a model's alias names to a variant or a checkpoint, in
 * plain SQL. Model names come from the caller, which owns the model lookup.
 */
@Repository
@RequiredArgsConstructor
class AliasAssignments {

    private final JdbcTemplate jdbc;
    private final AdvisoryLocks locks;

    /** Takes the transaction-scoped advisory lock of one alias of one model; held until the transaction ends. */
    void lock(UUID modelId, String alias) {
        locks.lock("model_alias:" + modelId + ":" + alias);
    }

    /** The alias as it points now, or null when the model has no such alias. */
    ModelAlias find(UUID modelId, String modelName, String alias) {
        return jdbc.query("select * from model_alias where model_id = ? and alias = ?",
                (rs, n) -> row(rs, modelName), modelId, alias).stream().findFirst().orElse(null);
    }

    /** Points the alias at the target (exactly one of the two ids), creating it or moving it. */
    void upsert(UUID modelId, String alias, UUID variantId, UUID checkpointId, Instant at, String by) {
        jdbc.update("""
                insert into model_alias (model_id, alias, variant_id, checkpoint_id, updated_at, updated_by)
                values (?, ?, ?, ?, ?, ?)
                on conflict (model_id, alias) do update set variant_id = excluded.variant_id,
                    checkpoint_id = excluded.checkpoint_id, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by""",
                modelId, alias, variantId, checkpointId, Timestamp.from(at), by);
    }

    void delete(UUID modelId, String alias) {
        jdbc.update("delete from model_alias where model_id = ? and alias = ?", modelId, alias);
    }

    /** The model's aliases, by name. */
    List<ModelAlias> ofModel(UUID modelId, String modelName) {
        return jdbc.query("select * from model_alias where model_id = ? order by alias",
                (rs, n) -> row(rs, modelName), modelId);
    }

    /** The aliases pointing at the variant, by name; {@code nameOfModel} names each alias's model. */
    List<ModelAlias> pointingAtVariant(UUID variantId, Function<UUID, String> nameOfModel) {
        return jdbc.query("select * from model_alias where variant_id = ? order by alias",
                (rs, n) -> row(rs, nameOfModel.apply(rs.getObject("model_id", UUID.class))), variantId);
    }

    private static ModelAlias row(ResultSet rs, String modelName) throws SQLException {
        return new ModelAlias(rs.getString("alias"), modelName, rs.getObject("variant_id", UUID.class),
                rs.getObject("checkpoint_id", UUID.class), rs.getTimestamp("updated_at").toInstant(),
                rs.getString("updated_by"));
    }
}
