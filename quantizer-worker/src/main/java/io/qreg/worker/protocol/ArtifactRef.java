package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model the job downloads: the claim's {@code checkpoint} or {@code variant} (only a variant names its
 * {@code method}). Members the registry always sends may be absent from a hand-made claim; the worker refuses a
 * missing {@code contentUrl} when it needs the file.
 */
public record ArtifactRef(String id, String sha256, Long sizeBytes, String contentUrl, String method) {

    public static ArtifactRef checkpoint(String id, String sha256, long sizeBytes, String contentUrl) {
        return new ArtifactRef(id, sha256, sizeBytes, contentUrl, null);
    }

    /** The members that are set, in the protocol's order. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        Json.putSet(json, "id", id);
        Json.putSet(json, "sha256", sha256);
        Json.putSet(json, "sizeBytes", sizeBytes);
        Json.putSet(json, "contentUrl", contentUrl);
        Json.putSet(json, "method", method);
        return json;
    }

    static ArtifactRef fromJson(Map<String, Object> json) {
        Number size = Json.number(json, "sizeBytes");
        return new ArtifactRef(Json.string(json, "id"), Json.string(json, "sha256"),
                size == null ? null : size.longValue(), Json.string(json, "contentUrl"), Json.string(json, "method"));
    }
}
