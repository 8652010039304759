package io.qreg.registry.artifact;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.web.ApiException;

import tools.jackson.core.JacksonException;

/** A multipart upload as received: its metadata part and its staged, hashed file part. */
public record ReceivedUpload(String metadataJson, StagedFile file) {

    /**
     * The metadata part read as {@code type}; 400 naming {@code metadata} when it is not JSON of that type, the
     * message listing its fields as {@code shape} gives them (e.g. "{name, purpose, description, sliceNames}").
     */
    public <T> T metadata(Class<T> type, String shape) {
        try {
            return CanonicalJson.mapper().readValue(metadataJson, type);
        } catch (JacksonException e) {
            throw ApiException.invalid("metadata", "the metadata part is not valid JSON of " + shape + ": "
                    + e.getOriginalMessage());
        }
    }
}
