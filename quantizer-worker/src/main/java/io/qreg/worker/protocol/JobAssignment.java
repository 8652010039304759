package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claim response (docs/worker-protocol.md, "Claim"): the job's header and lease, the checkpoint, and per type
 * the recipe and calibration dataset (QUANTIZE), the variant, dataset and model task (EVALUATE; no variant when the
 * checkpoint itself is evaluated), or the variant (BENCHMARK). {@code type} stays a string: a worker must be able to
 * read, and fail, a job of a type it does not know.
 *
 * @param unreadable null when the body was read; else why a member could not be (the header was): the worker fails
 *                   such a job without retries rather than dropping it, so the registry hears why
 */
public record JobAssignment(String id, String type, int attempt, Integer leaseSeconds, Instant leaseExpiresAt,
        Integer heartbeatSeconds, ArtifactRef checkpoint, RecipeOptions recipe, DatasetRef calibrationDataset,
        ArtifactRef variant, DatasetRef dataset, String task, String hardwareTarget, String unreadable) {

    /** The body as the registry sends it: for each type its members, nulls included where the protocol sends them. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("type", type);
        json.put("attempt", attempt);
        json.put("leaseSeconds", leaseSeconds);
        json.put("leaseExpiresAt", leaseExpiresAt == null ? null : leaseExpiresAt.toString());
        json.put("heartbeatSeconds", heartbeatSeconds);
        json.put("checkpoint", checkpoint == null ? null : checkpoint.toJson());
        switch (type) {
            case "QUANTIZE" -> {
                json.put("recipe", recipe == null ? null : recipe.toJson());
                json.put("calibrationDataset", calibrationDataset == null ? null : calibrationDataset.toJson());
            }
            case "EVALUATE" -> {
                if (variant != null) {
                    json.put("variant", variant.toJson());
                }
                json.put("dataset", dataset == null ? null : dataset.toJson());
                json.put("task", task);
            }
            case "BENCHMARK" -> json.put("variant", variant == null ? null : variant.toJson());
            default -> {
            }
        }
        json.put("hardwareTarget", hardwareTarget);
        return json;
    }

    /**
     * Reads a claim. A header that cannot be read ({@code id}, {@code type}, {@code attempt}) is refused; a part
     * that cannot be read leaves the assignment {@link #unreadable()} with the refusal naming the member.
     *
     * @throws ProtocolException without a readable header
     */
    public static JobAssignment fromJson(Map<String, Object> json) {
        String id = ProtocolException.reading("claim", () -> Json.requiredString(json, "id"));
        String type = ProtocolException.reading("claim", () -> Json.requiredString(json, "type"));
        Number attempt = ProtocolException.reading("claim", () -> Json.number(json, "attempt"));
        int attemptNumber = attempt == null ? 1 : attempt.intValue();
        try {
            Number lease = ProtocolException.reading("claim", () -> Json.number(json, "leaseSeconds"));
            Number heartbeat = ProtocolException.reading("claim", () -> Json.number(json, "heartbeatSeconds"));
            return new JobAssignment(id, type, attemptNumber, lease == null ? null : lease.intValue(),
                    instant(json, "leaseExpiresAt"), heartbeat == null ? null : heartbeat.intValue(),
                    artifact(json, "checkpoint"), recipe(json), dataset(json, "calibrationDataset"),
                    artifact(json, "variant"), dataset(json, "dataset"),
                    ProtocolException.reading("claim", () -> Json.string(json, "task")),
                    ProtocolException.reading("claim", () -> Json.string(json, "hardwareTarget")), null);
        } catch (ProtocolException e) {
            return new JobAssignment(id, type, attemptNumber, null, null, null, null, null, null, null, null, null,
                    null, e.getMessage());
        }
    }

    private static ArtifactRef artifact(Map<String, Object> json, String part) {
        return ProtocolException.reading(part, () -> {
            Map<String, Object> value = Json.object(json, part);
            return value == null ? null : ArtifactRef.fromJson(value);
        });
    }

    private static DatasetRef dataset(Map<String, Object> json, String part) {
        return ProtocolException.reading(part, () -> {
            Map<String, Object> value = Json.object(json, part);
            return value == null ? null : DatasetRef.fromJson(value);
        });
    }

    private static RecipeOptions recipe(Map<String, Object> json) {
        Map<String, Object> value = ProtocolException.reading("recipe", () -> Json.object(json, "recipe"));
        return value == null ? null : RecipeOptions.fromJson(value);
    }

    private static Instant instant(Map<String, Object> json, String name) {
        return ProtocolException.reading("claim", () -> {
            String value = Json.string(json, name);
            try {
                return value == null ? null : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"" + name + "\" should be an ISO-8601 instant, got \"" + value
                        + "\"");
            }
        });
    }

    @Override
    public String toString() {
        return type + " job " + id + " (attempt " + attempt + ")";
    }
}
