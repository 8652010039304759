package io.qreg.registry.database;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Once the registry is ready, checkpoints the embedded PostgreSQL in the background: a stop right after a first
 * start otherwise spends seconds writing the new cluster and its migrations in the shutdown checkpoint, and a
 * supervisor that kills after ten seconds would catch the database mid-write.
 */
@Component
@RequiredArgsConstructor
class StartupCheckpoint {

    private final DatabaseServer server;

    @EventListener(ApplicationReadyEvent.class)
    void afterStart() {
        if (server instanceof EmbeddedDatabase embedded) {
            Thread thread = new Thread(embedded::checkpoint, "qreg-startup-checkpoint");
            thread.setDaemon(true);
            thread.start();
        }
    }
}
