package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import io.qreg.worker.json.RecordJson;
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
        return RecordJson.setMembers(this);
    }

    static ArtifactRef fromJson(Map<String, Object> json) {
        Number size = Json.number(json, "sizeBytes");
        return new ArtifactRef(Json.string(json, "id"), Json.string(json, "sha256"),
                size == null ? null : size.longValue(), Json.string(json, "contentUrl"), Json.string(json, "method"));
    }
}
