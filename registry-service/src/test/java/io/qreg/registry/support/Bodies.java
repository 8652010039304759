package io.qreg.registry.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Request bodies written inline, names and values in turn: {@code Bodies.of("name", "int8", "perChannel", true)}. */
public final class Bodies {

    private Bodies() {
    }

    /** A new, mutable body; a value may be null (a member sent as JSON null). */
    public static Map<String, Object> of(Object... namesAndValues) {
        return with(Map.of(), namesAndValues);
    }

    /** A new, mutable body: {@code base} with the names and values given in turn put over it. */
    public static Map<String, Object> with(Map<String, ?> base, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs; got " + namesAndValues.length
                    + " items");
        }
        Map<String, Object> body = new LinkedHashMap<>(base);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return body;
    }
}
