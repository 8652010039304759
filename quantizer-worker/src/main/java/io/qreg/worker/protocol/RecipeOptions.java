package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import io.qreg.worker.json.RecordJson;
import java.util.List;
import java.util.Map;

/**
 * The claim's {@code recipe}: its identity and quantization options as stored, every member sent (null or empty
 * when the recipe leaves it to the method's default). Only the types are checked here; what each value may be
 * for the method is the worker's to refuse (io.qreg.worker.daemon.JobRunner#options, in one place).
 *
 * @param smoothQuantAlpha a number from 0 to 1, the string {@code "auto"}, or null; kept as sent, so that the worker's
 *                         refusal of anything else (io.qreg.worker.daemon.SmoothQuantField) names the option's
 *                         accepted values
 */
public record RecipeOptions(String name, Integer version, String hash, String method, Boolean perChannel,
        Boolean symmetric, Integer blockSize, String calibrationMethod, Double percentile, List<String> excludeNodes,
        List<String> excludeOpTypes, Double accuracyBudget, String algorithm, Double gptqDamp, Boolean actOrder,
        Object smoothQuantAlpha, Double targetBitsPerWeight) {

    public RecipeOptions {
        excludeNodes = excludeNodes == null ? List.of() : List.copyOf(excludeNodes);
        excludeOpTypes = excludeOpTypes == null ? List.of() : List.copyOf(excludeOpTypes);
    }

    public Map<String, Object> toJson() {
        return RecordJson.members(this);
    }

    /** @throws ProtocolException naming the member ({@code recipe: "blockSize" should be ...}) */
    public static RecipeOptions fromJson(Map<String, Object> json) {
        return ProtocolException.reading("recipe", () -> new RecipeOptions(Json.string(json, "name"),
                whole(json, "version"), Json.string(json, "hash"), Json.requiredString(json, "method"),
                Json.bool(json, "perChannel"), Json.bool(json, "symmetric"), whole(json, "blockSize"),
                Json.string(json, "calibrationMethod"), real(json, "percentile"), Json.strings(json, "excludeNodes"),
                Json.strings(json, "excludeOpTypes"), real(json, "accuracyBudget"), Json.string(json, "algorithm"),
                real(json, "gptqDamp"), Json.bool(json, "actOrder"), json.get("smoothQuantAlpha"),
                real(json, "targetBitsPerWeight")));
    }

    private static Double real(Map<String, Object> json, String name) {
        Number n = Json.number(json, name);
        return n == null ? null : n.doubleValue();
    }

    private static Integer whole(Map<String, Object> json, String name) {
        Number n = Json.number(json, name);
        if (n == null) {
            return null;
        }
        if (n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + name + "\" should be a whole number, got " + n);
        }
        return n.intValue();
    }
}
