package io.qreg.registry.database;

import java.util.regex.Pattern;

/**
 * How to reach a PostgreSQL database.
 *
 * @param jdbcUrl  JDBC URL of the database
 * @param user     user to log in as
 * @param password password, or {@code null} when the server trusts the user
 */
public record DatabaseConnection(String jdbcUrl, String user, String password) {

    // PgJDBC also accepts credentials as URL parameters, so a URL is only safe to log once they are masked.
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;]*");

    /** The JDBC URL with any password parameter masked, fit for logs. */
    public String redactedUrl() {
        return PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
    }

    /** Never prints the password, so that the record can be logged or shown in a failure message. */
    @Override
    public String toString() {
        return "DatabaseConnection[jdbcUrl=" + redactedUrl() + ", user=" + user + "]";
    }
}
