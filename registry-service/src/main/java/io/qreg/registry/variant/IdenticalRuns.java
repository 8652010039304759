package io.qreg.registry.variant;

import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Finds the variant an identical run already made: the same checkpoint, recipe version, calibration dataset
 * version and engine version, read off the lineage each variant recorded. Quantization is deterministic in those
 * four, so such a run makes the same bytes again. The oldest match wins, so every reuse names the same variant.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class IdenticalRuns {

    private final Variants store;

    /** What makes two QUANTIZE runs identical; {@code calibrationName} and its version are null for none. */
    public record RunInputs(UUID checkpointId, String recipeName, int recipeVersion, String calibrationName,
            Integer calibrationVersion, String engineVersion) {
    }

    @Transactional(readOnly = true)
    public Optional<UUID> madeBy(RunInputs run) {
        if (run.engineVersion() == null) {
            return Optional.empty();
        }
        return store.oldestMadeBy(run);
    }
}
