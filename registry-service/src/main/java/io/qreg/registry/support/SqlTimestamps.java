package io.qreg.registry.support;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Nullable instants to and from JDBC timestamp columns, for the stores that write their SQL by hand. */
public final class SqlTimestamps {

    private SqlTimestamps() {
    }

    /** The parameter for a {@code timestamptz} column; null stays null (SQL NULL). */
    public static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** The column's value, or null where it is NULL. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
