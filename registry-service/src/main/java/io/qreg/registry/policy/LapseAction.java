package io.qreg.registry.policy;

import java.util.Arrays;
import java.util.Locale;

import io.qreg.registry.web.ApiException;

import com.fasterxml.jackson.annotation.JsonValue;

import tools.jackson.databind.JsonNode;

/**
 * What happens when an approval of one of the model's variants (or its checkpoint) lapses while a
 * backend serves traffic under it. A lapsed canary always rolls back; this decides for a stable backend.
 */
public enum LapseAction {
    /** Report it (webhook, banners, the deployment's {@code servingWithoutValidApproval}) and leave traffic as it is. */
    ALERT("alert"),
    /** Report it and replace the lapsed stable backend with the tier's previous stable backend. */
    ROLLBACK("rollback");

    public static final String FIELD = "onLapse";

    private final String wireName;

    LapseAction(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static LapseAction parse(String value) {
        return Arrays.stream(values()).filter(a -> a.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown lapse action '" + value + "'"));
    }

    /** The policy body's {@code onLapse}; left out or null it is {@code alert}. */
    public static LapseAction of(JsonNode body) {
        JsonNode value = body == null ? null : body.get(FIELD);
        if (value == null || value.isNull()) {
            return ALERT;
        }
        String wanted = value.isString() ? value.asString().trim().toLowerCase(Locale.ROOT) : "";
        return Arrays.stream(values()).filter(a -> a.wireName.equals(wanted)).findFirst()
                .orElseThrow(() -> ApiException.invalid(FIELD, FIELD + " must be \"alert\" (report a lapsed approval"
                        + " and keep serving) or \"rollback\" (also return a lapsed stable backend to the previous"
                        + " one), got " + value));
    }
}
