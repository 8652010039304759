package io.qreg.registry.artifact;

import java.util.Map;

/** An HTML form received as multipart: its text fields, and its staged file (null when none was chosen). */
public record ReceivedForm(Map<String, String> fields, StagedFile file) {

    /** The field's value, trimmed; null when absent or blank. */
    public String field(String name) {
        String value = fields.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
