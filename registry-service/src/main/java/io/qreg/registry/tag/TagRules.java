package io.qreg.registry.tag;

import java.util.regex.Pattern;

import io.qreg.registry.web.ApiException;

/** What a tag key and value may be: the one definition the endpoints and the list filter share. */
final class TagRules {

    /** Like Kubernetes label keys without the prefix: short, readable in a URL, no ':' (the filter's separator). */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    static final int MAX_VALUE = 256;
    static final int MAX_TAGS = 50;

    private TagRules() {
    }

    static void requireKey(String field, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw ApiException.invalid(field, "a tag key must be 1-63 letters, digits, '.', '_' or '-', starting and"
                    + " ending with a letter or digit, e.g. 'team'; got '" + key + "'");
        }
    }

    static void requireValue(String field, String value) {
        if (value == null) {
            throw ApiException.invalid(field, "a tag needs a value: {\"value\": \"...\"} (it may be empty)");
        }
        if (value.length() > MAX_VALUE || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(field, "a tag value must be at most " + MAX_VALUE
                    + " characters without control characters");
        }
    }
}
