package io.qreg.registry.job;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.qreg.registry.security.MachineAccounts;
import io.qreg.registry.security.Role;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The worker the registry runs for itself, so the single run command can quantize, evaluate and
 * benchmark with nothing else started. It is the same daemon as a remote worker and speaks the
 * same HTTP protocol to this registry, with a WORKER token minted for it at each start.
 *
 * <p>On by default with the embedded database; {@code QREG_EMBEDDED_WORKER=true|false} decides
 * explicitly (a deployment on an external PostgreSQL usually runs its workers elsewhere).
 */
@Component
class EmbeddedWorker {

    static final String ACCOUNT = "embedded-worker";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(EmbeddedWorker.class);

    private final MachineAccounts accounts;
    private final boolean enabled;
    private final Path workDir;
    private WorkerDaemon daemon;

    EmbeddedWorker(MachineAccounts accounts, @Value("${qreg.embedded-worker:}") String setting,
            @Value("${qreg.db.url:}") String externalDatabase, @Value("${qreg.data-dir}") Path dataDir) {
        this.accounts = accounts;
        this.enabled = setting == null || setting.isBlank() ? externalDatabase.isBlank() : Boolean.parseBoolean(setting);
        this.workDir = dataDir.resolve("worker").toAbsolutePath();
    }

    @EventListener
    void start(ApplicationReadyEvent ready) {
        if (!enabled || !(ready.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return;
        }
        int port = web.getWebServer().getPort();
        String token = accounts.freshToken(ACCOUNT, Role.WORKER, ACCOUNT);
        WorkerConfig config = WorkerConfig.of(URI.create("http://localhost:" + port), token)
                .withName(ACCOUNT).withLabels(Map.of("embedded", "true")).withWorkDir(workDir);
        daemon = WorkerDaemon.start(config);
        log.info("started the embedded worker against http://localhost:{} (QREG_EMBEDDED_WORKER=false turns it off)",
                port);
    }

    /** Before the web server stops: the worker's last heartbeats and results still need it. */
    @EventListener
    void stop(ContextClosedEvent closed) {
        if (daemon != null) {
            daemon.stop(STOP_GRACE);
            daemon = null;
        }
    }
}
