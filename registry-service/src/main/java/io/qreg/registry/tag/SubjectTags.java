package io.qreg.registry.tag;

import java.util.Map;

/** The answer to a tag write: every tag the subject now has, by key. */
public record SubjectTags(String subject, String id, Map<String, String> tags) {
}
