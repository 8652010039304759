package io.qreg.registry.alias;

import java.util.regex.Pattern;

import io.qreg.registry.web.ApiException;

/** What an alias may be called; the one check the endpoints and rollout requests share. */
final class AliasNames {

    static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?");
    /** As in MLflow: "latest" and "v<digits>" would read as a version, not a chosen pointer. */
    private static final Pattern RESERVED = Pattern.compile("latest|v[0-9]+");

    private AliasNames() {
    }

    static String require(String field, String alias) {
        if (alias == null || !NAME.matcher(alias).matches()) {
            throw ApiException.invalid(field, "an alias must be 1-63 lowercase letters, digits, '-' or '_', starting"
                    + " and ending with a letter or digit, e.g. 'champion'; got '" + alias + "'");
        }
        if (RESERVED.matcher(alias).matches()) {
            throw ApiException.invalid(field, "'" + alias + "' is reserved: 'latest' and 'v<number>' would read as"
                    + " versions; choose a name such as 'champion'");
        }
        return alias;
    }
}
