package io.qreg.registry.database;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Moves {@code initdb}'s output to DEBUG. zonky logs every line its child processes print at INFO on a thread
 * named after the process ({@code initdb:pid(N)}); initdb's two dozen lines fill a first start's log and end
 * with "Success. You can now start the database server using: pg_ctl ...", which is not for the operator to do.
 * The lines are logged again at DEBUG under {@value #LOGGER} ({@code logging.level.io.qreg.registry.database.initdb
 * =DEBUG} shows them); the PostgreSQL server's own output (thread {@code postgres:pid(N)}) is left as it is.
 */
final class InitdbOutput extends TurboFilter {

    static final String LOGGER = "io.qreg.registry.database.initdb";
    private static final String ZONKY_LOGGER = EmbeddedPostgres.class.getName();
    private static final String INITDB_THREAD = "initdb:";
    private static final Logger initdb = LoggerFactory.getLogger(LOGGER);

    /** Installs the filter once into Logback, when Logback is the logging backend (it is in the registry). */
    static void install() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback
                && logback.getTurboFilterList().stream().noneMatch(InitdbOutput.class::isInstance)) {
            InitdbOutput filter = new InitdbOutput();
            filter.setName("qreg-initdb-output");
            filter.start();
            logback.addTurboFilter(filter);
        }
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
            Object[] params, Throwable t) {
        if (level != Level.INFO || format == null || !logger.getName().equals(ZONKY_LOGGER)
                || !Thread.currentThread().getName().startsWith(INITDB_THREAD)) {
            return FilterReply.NEUTRAL;
        }
        initdb.debug("{}", format);
        return FilterReply.DENY;
    }
}
