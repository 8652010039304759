package io.qreg.registry.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;

/**
 * What a verdict rests on: the artifact, how it was made, and every result recorded for it.
 * {@code digest} is the sha256 of the canonical JSON of the other five fields, so a new
 * evaluation or benchmark, or a different artifact, gives a different digest.
 */
public record Evidence(String artifactSha256, String recipeHash, String calibrationSha256, List<UUID> evaluationIds,
        List<UUID> benchmarkIds, String digest) {

    public Evidence {
        evaluationIds = List.copyOf(evaluationIds);
        benchmarkIds = List.copyOf(benchmarkIds);
    }

    static Evidence of(String artifactSha256, String recipeHash, String calibrationSha256, List<UUID> evaluationIds,
            List<UUID> benchmarkIds) {
        return new Evidence(artifactSha256, recipeHash, calibrationSha256, evaluationIds, benchmarkIds,
                CanonicalJson.sha256(new Digested(artifactSha256, recipeHash, calibrationSha256, evaluationIds,
                        benchmarkIds)));
    }

    /** The five fields the digest is the sha256 of, each under its own name in the canonical JSON. */
    private record Digested(String artifactSha256, String recipeHash, String calibrationSha256,
            List<UUID> evaluationIds, List<UUID> benchmarkIds) {
    }

    /** What differs from an earlier state of the evidence, for a person reading why an approval went void. */
    public String changesSince(Evidence earlier) {
        List<String> changes = new ArrayList<>();
        if (!Objects.equals(artifactSha256, earlier.artifactSha256)) {
            changes.add("artifact sha256 " + earlier.artifactSha256 + " -> " + artifactSha256);
        }
        if (!Objects.equals(recipeHash, earlier.recipeHash)) {
            changes.add("recipe hash " + earlier.recipeHash + " -> " + recipeHash);
        }
        if (!Objects.equals(calibrationSha256, earlier.calibrationSha256)) {
            changes.add("calibration sha256 " + earlier.calibrationSha256 + " -> " + calibrationSha256);
        }
        describe(changes, "evaluation", earlier.evaluationIds, evaluationIds);
        describe(changes, "benchmark", earlier.benchmarkIds, benchmarkIds);
        return changes.isEmpty() ? "the evidence digest changed" : String.join("; ", changes);
    }

    private static void describe(List<String> changes, String kind, List<UUID> before, List<UUID> after) {
        List<UUID> added = after.stream().filter(id -> !before.contains(id)).toList();
        List<UUID> removed = before.stream().filter(id -> !after.contains(id)).toList();
        if (!added.isEmpty()) {
            changes.add("new " + kind + (added.size() > 1 ? "s " : " ") + added);
        }
        if (!removed.isEmpty()) {
            changes.add(kind + (removed.size() > 1 ? "s " : " ") + removed + " no longer recorded");
        }
    }
}
