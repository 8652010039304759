package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import io.qreg.worker.json.RecordJson;
import java.util.Map;

/** A dataset the job downloads: the claim's {@code calibrationDataset} or {@code dataset}. Every member is sent. */
public record DatasetRef(String name, Integer version, String sha256, String format, String contentUrl,
        Boolean hasLabels, Boolean hasSlices) {

    public Map<String, Object> toJson() {
        return RecordJson.members(this);
    }

    static DatasetRef fromJson(Map<String, Object> json) {
        Number version = Json.number(json, "version");
        return new DatasetRef(Json.string(json, "name"), version == null ? null : version.intValue(),
                Json.string(json, "sha256"), Json.string(json, "format"), Json.string(json, "contentUrl"),
                Json.bool(json, "hasLabels"), Json.bool(json, "hasSlices"));
    }
}
