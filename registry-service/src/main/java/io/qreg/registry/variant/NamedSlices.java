package io.qreg.registry.variant;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation's per-slice results keyed by the dataset's slice names instead of ids, so evaluations, verdicts and
 * the portal say "rare-fraud", not "3". Applied when reading: the worker reports ids, and a dataset version's names
 * never change. Each named entry keeps its {@code sliceId} and carries its {@code name}, which is what
 * {@code sliceThresholds} match on; a slice without a name (or a dataset without names) keeps its id as the key.
 */
final class NamedSlices {

    private NamedSlices() {
    }

    static Object name(Object slices, Object sliceNames) {
        if (!(slices instanceof Map<?, ?> byId) || !(sliceNames instanceof List<?> names) || names.isEmpty()) {
            return slices;
        }
        Map<String, Object> named = new LinkedHashMap<>();
        for (Map.Entry<?, ?> slice : byId.entrySet()) {
            String id = String.valueOf(slice.getKey());
            String name = nameOf(id, names);
            if (name == null || !(slice.getValue() instanceof Map<?, ?> figures)) {
                named.put(id, slice.getValue());
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("sliceId", Long.parseLong(id));
            figures.forEach((k, v) -> entry.putIfAbsent(String.valueOf(k), v));
            named.put(name, entry);
        }
        return named;
    }

    private static String nameOf(String id, List<?> names) {
        try {
            long index = Long.parseLong(id);
            return index >= 0 && index < names.size() ? String.valueOf(names.get((int) index)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
