package io.qreg.worker.cli;

import io.qreg.worker.json.JsonWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the CLI prints ({@code --json}, {@code quantize --report}): plain RFC 8259 that every parser reads as
 * numbers, so a non-finite figure is never written as a string. JSON has no infinity or NaN, so each one becomes
 * {@code null}, and in an object a note beside it, under the key with {@code Note} appended, says what it was:
 * {@code "sqnrDb": null, "sqnrDbNote": "identical outputs: no quantization noise (SQNR +Infinity dB)"}. In an
 * array there is no room for a note; the element is {@code null}.
 *
 * <p>The worker protocol keeps {@link JsonWriter}'s strings ({@code "Infinity"}), which the registry stores as
 * the worker sent them: this rendering is for people and scripts reading the CLI, not for the daemon.
 */
public final class CliJson {

    static final String NOTE_SUFFIX = "Note";

    private CliJson() {
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, nulls) as compact JSON without non-finite numbers. */
    public static String write(Object value) {
        return JsonWriter.write(finite(value));
    }

    /** A copy of {@code value} in which every non-finite double is null, noted beside it inside objects. */
    static Object finite(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, v) -> {
                String name = String.valueOf(key);
                copy.put(name, finite(v));
                if (!isFinite(v) && !map.containsKey(name + NOTE_SUFFIX)) {
                    copy.put(name + NOTE_SUFFIX, note(name, ((Number) v).doubleValue()));
                }
            });
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(finite(v)));
            return copy;
        }
        return isFinite(value) ? value : null;
    }

    private static boolean isFinite(Object value) {
        return !(value instanceof Double || value instanceof Float) || Double.isFinite(((Number) value).doubleValue());
    }

    /** What the value meant, in words; an SQNR's infinity is the one a user meets (a model against itself). */
    static String note(String key, double value) {
        if (Double.isNaN(value)) {
            return "not a number: the figure is undefined here (for example nothing to compare)";
        }
        boolean sqnr = key.toLowerCase(java.util.Locale.ROOT).contains("sqnr");
        if (value > 0) {
            return sqnr ? "identical outputs: no quantization noise (SQNR +Infinity dB)"
                    : "+Infinity, which JSON cannot hold as a number";
        }
        return sqnr ? "no signal: the reference outputs are all zero (SQNR -Infinity dB)"
                : "-Infinity, which JSON cannot hold as a number";
    }
}
