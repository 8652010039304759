package io.qreg.registry.archive;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import io.qreg.registry.support.SqlTimestamps;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;

/**
 * Whether a model, variant or deployment is archived, since when and by whom. Archived things are kept, not
 * deleted: they stay in lineage, audit and history, but leave the default lists and cannot be approved or rolled
 * out until unarchived.
 *
 * @param archivedAt null while active
 * @param archivedBy null while active
 */
public record Archival(boolean archived, Instant archivedAt, String archivedBy) {

    public static final Archival ACTIVE = new Archival(false, null, null);

    public static Archival of(Instant archivedAt, String archivedBy) {
        return archivedAt == null ? ACTIVE : new Archival(true, archivedAt, archivedBy);
    }

    /** What archiving ({@code archived}) or unarchiving leaves: archived now by {@code by}, or active. */
    public static Archival after(boolean archived, String by) {
        return archived ? of(Timestamps.now(), by) : ACTIVE;
    }

    /** The audit action of (un)archiving a {@code subjectType}: e.g. "model.archived", "variant.unarchived". */
    public static String auditAction(String subjectType, boolean archived) {
        return subjectType + (archived ? ".archived" : ".unarchived");
    }

    /** From a row with the {@code archived_at} and {@code archived_by} columns every archivable table has. */
    public static Archival of(ResultSet rs) throws SQLException {
        return of(SqlTimestamps.instant(rs, "archived_at"), rs.getString("archived_by"));
    }

    /**
     * A list's {@code ?archived=} parameter: absent or false lists what is active, true what is archived.
     * Anything else is refused naming the parameter, rather than silently listing the active ones.
     */
    public static boolean listsArchived(String parameter) {
        if (parameter == null || parameter.isBlank() || parameter.equalsIgnoreCase("false")) {
            return false;
        }
        if (parameter.equalsIgnoreCase("true")) {
            return true;
        }
        throw ApiException.invalid("archived", "archived must be true or false, got '" + parameter + "'");
    }

    /**
     * The 409 for something archived that a request wants to use: names what is archived (as {@code field}, the
     * request field or path part that chose it), why it is refused and how to undo the archive.
     *
     * @param what e.g. "variant 3f2c…" or "model 'support-intent'"
     * @param action e.g. "requested for approval", "rolled out"
     * @param unarchivePath the endpoint that makes it active again
     */
    public ApiException refusal(String field, String what, String action, String unarchivePath) {
        return new ApiException(HttpStatus.CONFLICT, what + " is archived (since " + archivedAt + " by " + archivedBy
                + ") and cannot be " + action + "; POST " + unarchivePath + " first if it should serve again", field);
    }
}
