package io.qreg.registry.tag;

import io.qreg.registry.web.ApiException;

/**
 * A list's {@code ?tag=key:value}: only subjects with the tag {@code key} set to exactly {@code value}. The first
 * ':' separates them, so a value may itself hold colons.
 */
public record TagFilter(String key, String value) {

    /** The parsed filter, or null when the parameter is absent; a malformed one is a 400 naming {@code tag}. */
    public static TagFilter parse(String parameter) {
        if (parameter == null || parameter.isBlank()) {
            return null;
        }
        int colon = parameter.indexOf(':');
        if (colon <= 0) {
            throw ApiException.invalid("tag", "tag must be key:value, e.g. tag=team:search; got '" + parameter + "'");
        }
        String key = parameter.substring(0, colon);
        String value = parameter.substring(colon + 1);
        TagRules.requireKey("tag", key);
        TagRules.requireValue("tag", value);
        return new TagFilter(key, value);
    }

    /**
     * The SQL condition that keeps rows whose {@code idColumn} names a subject of {@code kind} with this tag; it
     * takes {@link #arguments} in this order.
     */
    public String sqlCondition(TagSubject kind, String idColumn) {
        return "exists (select 1 from subject_tag t where t.subject_kind = '" + kind.wireName()
                + "' and t.subject_id = " + idColumn + " and t.tag_key = ? and t.tag_value = ?)";
    }

    public Object[] arguments() {
        return new Object[] {key, value};
    }
}
