package io.qreg.registry.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.qreg.registry.database.DatabaseConnection;
import io.qreg.registry.database.DatabaseServer;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps every registry instance's {@link RoutingCache} right when several share one database: a
 * new revision is announced with {@code pg_notify} in the transaction that writes it (PostgreSQL
 * delivers it on commit, to every listener), and this thread, on a connection of its own outside
 * the pool, refreshes the entry it names. While the connection is down the cache is not trusted.
 * {@link RoutingRevisions#announce} sends the notice; the {@code LISTEN} and pings stay here, since
 * they belong to this dedicated connection rather than to any table.
 */
@Component
class RoutingNotifications implements SmartLifecycle {

    static final String CHANNEL = "qreg_routing";
    private static final Logger log = LoggerFactory.getLogger(RoutingNotifications.class);
    private static final int POLL_MILLIS = 500;
    private static final long PING_NANOS = 10_000_000_000L;

    private final DatabaseConnection connection;
    private final RoutingCache cache;
    private final RoutingService routing;
    private volatile boolean running;
    private Thread thread;

    RoutingNotifications(DatabaseServer server, RoutingCache cache, RoutingService routing) {
        this.connection = server.connection();
        this.cache = cache;
        this.routing = routing;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::listen, "routing-notifications");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops before the web server's graceful shutdown, which would otherwise wait for every long poll. */
    @Override
    public void stop() {
        cache.releaseWaiters();
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        long backoff = 250;
        while (running) {
            try (Connection c = DriverManager.getConnection(connection.jdbcUrl(), connection.user(),
                    connection.password())) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                cache.trust();
                // Long polls and xDS streams that started while nobody listened may have missed a revision.
                cache.keysKeptFresh().forEach(routing::refresh);
                backoff = 250;
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastPing = System.nanoTime();
                while (running) {
                    PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                    if (notes != null) {
                        for (PGNotification n : notes) {
                            handle(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - lastPing > PING_NANOS) {
                        // A connection that died without a reset would otherwise just stay silent.
                        try (Statement s = c.createStatement()) {
                            s.execute("select 1");
                        }
                        lastPing = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                cache.distrust();
                if (!running) {
                    return;
                }
                log.warn("routing notifications interrupted ({}); serving routing configs from the database"
                        + " until listening again", e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
        cache.distrust();
    }

    private void handle(String payload) {
        String[] parts = payload.split("\t");
        if (parts.length != 3) {
            return;
        }
        RoutingCache.Key key = new RoutingCache.Key(parts[0], parts[1]);
        long revision;
        try {
            revision = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return;
        }
        if (cache.tracks(key) && cache.heldRevision(key) < revision) {
            routing.refresh(key);
        }
    }
}
