package io.qreg.registry.model;

import java.util.Arrays;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How much harm a wrong answer can do; decides default policies and who must sign off. */
public enum RiskTier {
    STANDARD, HIGH, REGULATED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RiskTier parse(String value) {
        return Arrays.stream(values()).filter(t -> t.wireName().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown riskTier '" + value + "'; use one of "
                        + Arrays.stream(values()).map(RiskTier::wireName).toList()));
    }
}
