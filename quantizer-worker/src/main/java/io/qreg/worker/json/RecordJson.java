package io.qreg.worker.json;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON object of a record whose members are its components: each under the component's own name, in
 * declaration order. Stated once here, a body's member names and order follow its record and cannot drift from
 * it; a body whose names differ from its components, or that renders a member, writes its map by hand.
 */
public final class RecordJson {

    private RecordJson() {
    }

    /** Every component of {@code record}, null ones included, as bodies that always send each member. */
    public static Map<String, Object> members(Record record) {
        return members(record, true);
    }

    /**
     * The components of {@code record} that are set: protocol bodies that leave out what is not set, rather than
     * send null.
     */
    public static Map<String, Object> setMembers(Record record) {
        return members(record, false);
    }

    private static Map<String, Object> members(Record record, boolean withNulls) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value = value(record, component);
            if (value != null || withNulls) {
                json.put(component.getName(), value);
            }
        }
        return json;
    }

    private static Object value(Record record, RecordComponent component) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException(record.getClass().getName() + " should be a public record", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("reading " + component.getName() + " of " + record.getClass().getName(),
                    e.getCause());
        }
    }
}
