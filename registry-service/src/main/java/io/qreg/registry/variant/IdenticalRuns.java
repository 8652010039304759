package io.qreg.registry.variant;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Finds the variant an identical run already made: the same checkpoint, recipe version, calibration dataset
 * version and engine version, read off the lineage each variant recorded. Quantization is deterministic in those
 * four, so such a run makes the same bytes again. The oldest match wins, so every reuse names the same variant.
 */
@Service
public class IdenticalRuns {

    private final JdbcTemplate jdbc;

    IdenticalRuns(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What makes two QUANTIZE runs identical; {@code calibrationName} and its version are null for none. */
    public record RunInputs(UUID checkpointId, String recipeName, int recipeVersion, String calibrationName,
            Integer calibrationVersion, String engineVersion) {
    }

    @Transactional(readOnly = true)
    public Optional<UUID> madeBy(RunInputs run) {
        if (run.engineVersion() == null) {
            return Optional.empty();
        }
        return jdbc.queryForList("""
                select id from variant
                 where checkpoint_id = ?
                   and lineage -> 'recipe' ->> 'name' = ?
                   and (lineage -> 'recipe' ->> 'version')::int = ?
                   and lineage ->> 'engineVersion' = ?
                   and coalesce(lineage -> 'calibrationDataset' ->> 'name', '') = ?
                   and coalesce((lineage -> 'calibrationDataset' ->> 'version')::int, 0) = ?
                 order by created_at, id
                 limit 1""", UUID.class, run.checkpointId(), run.recipeName(), run.recipeVersion(),
                run.engineVersion(), run.calibrationName() == null ? "" : run.calibrationName(),
                run.calibrationVersion() == null ? 0 : run.calibrationVersion()).stream().findFirst();
    }
}
