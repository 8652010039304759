package io.qreg.registry.model;

import java.util.Arrays;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a model does; decides which metrics its evaluations report. */
public enum ModelTask {
    CLASSIFICATION, LANGUAGE_MODEL, EMBEDDING, DETECTION, OTHER;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static ModelTask parse(String value) {
        return Arrays.stream(values()).filter(t -> t.wireName().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown task '" + value + "'; use one of "
                        + Arrays.stream(values()).map(ModelTask::wireName).toList()));
    }
}
