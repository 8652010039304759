package io.qreg.registry.job;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.qreg.registry.security.MachineAccounts;
import io.qreg.registry.security.Role;
import io.qreg.registry.web.InProcessClients;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;
import io.qreg.worker.daemon.WorkerLog;

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
 *
 * <p>Its events are logged like the registry's own lines (logger {@code io.qreg.worker}), and its requests,
 * which it reports itself, are left out of the INFO request log ({@link InProcessClients}).
 */
@Component
class EmbeddedWorker {

    static final String ACCOUNT = "embedded-worker";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(EmbeddedWorker.class);
    private static final Logger workerLog = LoggerFactory.getLogger("io.qreg.worker");

    private final MachineAccounts accounts;
    private final InProcessClients inProcessClients;
    private final boolean enabled;
    private final Path workDir;
    private WorkerDaemon daemon;
    /** Set once the context closes; a start still under way then must not leave a worker polling. */
    private boolean closing;

    EmbeddedWorker(MachineAccounts accounts, InProcessClients inProcessClients,
            @Value("${qreg.embedded-worker:}") String setting, @Value("${qreg.db.url:}") String externalDatabase,
            @Value("${qreg.data-dir}") Path dataDir) {
        this.accounts = accounts;
        this.inProcessClients = inProcessClients;
        this.enabled = setting == null || setting.isBlank() ? externalDatabase.isBlank() : Boolean.parseBoolean(setting);
        this.workDir = dataDir.resolve("worker").toAbsolutePath();
    }

    /**
     * Synchronized with {@link #stop}: a SIGTERM that arrives while the worker starts (loading ONNX Runtime takes
     * seconds) waits for the start and then stops it, rather than missing it and leaving its long poll open.
     */
    @EventListener
    synchronized void start(ApplicationReadyEvent ready) {
        if (!enabled || closing || !(ready.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return;
        }
        int port = web.getWebServer().getPort();
        String token = accounts.freshToken(ACCOUNT, Role.WORKER, ACCOUNT);
        inProcessClients.add(token);
        WorkerConfig config = WorkerConfig.of(URI.create("http://localhost:" + port), token)
                .withName(ACCOUNT).withLabels(Map.of("embedded", "true")).withWorkDir(workDir)
                .withLog(toRegistryLog());
        try {
            daemon = WorkerDaemon.start(config);
        } catch (IllegalStateException e) {
            // ONNX Runtime registers a JVM shutdown hook as it loads; during a shutdown the JVM refuses it.
            if (ready.getApplicationContext().isClosed() || "Shutdown in progress".equals(e.getMessage())) {
                log.info("not starting the embedded worker: the registry is shutting down");
                return;
            }
            throw e;
        }
        log.info("started the embedded worker against http://localhost:{} (QREG_EMBEDDED_WORKER=false turns it off)",
                port);
    }

    /** Before the web server stops: the worker's last heartbeats and results still need it. */
    @EventListener
    synchronized void stop(ContextClosedEvent closed) {
        closing = true;
        if (daemon != null) {
            daemon.stop(STOP_GRACE);
            daemon = null;
            // The token stays known to the request log: the worker's last claim may still be finishing.
        }
    }

    /** The worker's events as log lines of the registry's own format; the thread names the worker's loop. */
    private static WorkerLog toRegistryLog() {
        return (workerName, message) -> workerLog.info("{}", message);
    }
}
