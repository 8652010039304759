package io.qreg.registry.web;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * While the database cannot be reached, requests are answered 503 with {@code Retry-After} instead of 500,
 * and the log says so once: one WARN at the first failed request (no stack trace), one INFO when the
 * database answers again. A background probe, not the next request, decides that it is back, so a request
 * that happened not to need the database cannot announce a recovery that has not happened.
 */
@Component
public class DatabaseOutage implements DisposableBean {

    /** Seconds a client is told to wait; about the time the pool needs to reconnect once the server is back. */
    public static final int RETRY_AFTER_SECONDS = 5;
    private static final String HIKARI_CLOSED = "Connection is closed";
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);

    private final DataSource dataSource;
    private final AtomicReference<Instant> downSince = new AtomicReference<>();
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "qreg-database-probe");
        thread.setDaemon(true);
        return thread;
    });

    DatabaseOutage(DataSource dataSource) {
        this.dataSource = dataSource;
        // Idle (no database access) unless an outage is going on.
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Whether the failure (or one of its causes) is the database being unreachable rather than a bug. */
    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException || t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof ConnectException
                    || t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
            // 08: connection exception; 57P01-57P03: the server is shutting down or not yet accepting connections.
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
            // HikariCP's answer (no SQLState) when a transaction rolls back on a connection the server dropped.
            if (t instanceof SQLException && HIKARI_CLOSED.equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** Notes the failure (logging only the first of an outage) and returns the 503 problem to answer with. */
    public ProblemDetail unavailable(Throwable failure) {
        noteFailure(failure);
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The registry cannot reach its database at the moment; retry in " + RETRY_AFTER_SECONDS
                        + " seconds.");
    }

    /** Notes a connection failure, from a request or a background task; only the first of an outage is logged. */
    public void noteFailure(Throwable failure) {
        if (downSince.compareAndSet(null, Instant.now())) {
            log.warn("The database is unreachable ({}); answering 503 until it is back", rootMessage(failure));
        }
    }

    private void probe() {
        Instant since = downSince.get();
        if (since == null) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(2) && downSince.compareAndSet(since, null)) {
                log.info("The database is reachable again after {} s",
                        Duration.between(since, Instant.now()).toMillis() / 1000.0);
            }
        } catch (SQLException | RuntimeException e) {
            // Still down: the WARN has been written; the next probe tries again.
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return Excerpt.of(root.getClass().getSimpleName() + ": " + root.getMessage());
    }

    @Override
    public void destroy() {
        prober.shutdownNow();
    }
}
