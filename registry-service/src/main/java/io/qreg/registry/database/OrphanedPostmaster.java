package io.qreg.registry.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the way for a PostgreSQL start on a data directory whose previous owner died without stopping its
 * server (a registry killed with SIGKILL leaves the postmaster running, and {@code postmaster.pid} makes a new
 * start fail with "lock file postmaster.pid already exists").
 *
 * <p>The orphan is stopped the way PostgreSQL prefers ({@code pg_ctl stop -m fast}, which writes a shutdown
 * checkpoint), escalating to SIGTERM and then SIGKILL only if that fails; even after SIGKILL nothing committed
 * is lost, because the next start replays the WAL. Every action is logged at WARN.
 */
final class OrphanedPostmaster {

    /** What {@link #recover(Path)} found and did. */
    enum Outcome {
        /** No {@code postmaster.pid}: the last server stopped cleanly, or there never was one. */
        NONE,
        /** An orphaned postmaster of this data directory was running, and has been stopped. */
        ORPHAN_STOPPED,
        /** The pid file names a process that no longer exists; PostgreSQL replaces such a file itself. */
        STALE_PID_FILE_KEPT,
        /** The pid file names a process that is not a running postmaster of this directory; it was deleted. */
        STALE_PID_FILE_DELETED
    }

    /**
     * The parts of {@code postmaster.pid} this class needs (line 1, 2 and 4 of the file).
     *
     * @param pid           the postmaster's process id
     * @param dataDirectory the data directory the postmaster wrote, as it saw it
     * @param port          the port it listened on, 0 if the file does not say
     */
    record PidFile(long pid, String dataDirectory, int port) {

        static Optional<PidFile> parse(List<String> lines) {
            try {
                long pid = Long.parseLong(lines.get(0).trim());
                String dataDirectory = lines.size() > 1 ? lines.get(1).trim() : "";
                int port = lines.size() > 3 && !lines.get(3).isBlank() ? Integer.parseInt(lines.get(3).trim()) : 0;
                return pid > 0 ? Optional.of(new PidFile(pid, dataDirectory, port)) : Optional.empty();
            } catch (IndexOutOfBoundsException | NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    static final String PID_FILE = "postmaster.pid";

    // zonky's EmbeddedPostgres holds a FileLock on this file for as long as its server runs.
    private static final String OWNER_LOCK_FILE = "epg-lock";

    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(OrphanedPostmaster.class);

    private OrphanedPostmaster() {
    }

    /**
     * Makes sure no orphaned postmaster and no misleading pid file stand in the way of starting PostgreSQL on
     * {@code dataDirectory}.
     *
     * @throws IllegalStateException if a live process still owns the directory, or the orphan would not stop
     */
    static Outcome recover(Path dataDirectory) {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        Path pidFilePath = directory.resolve(PID_FILE);
        if (!Files.exists(pidFilePath)) {
            return Outcome.NONE;
        }
        // A postmaster whose owning JVM is still alive is not an orphan; stopping it would pull the database
        // from under a running registry (say, a second one started on the same data dir by mistake).
        try (OwnerLock ignored = OwnerLock.acquire(directory)) {
            Optional<PidFile> pidFile = readPidFile(pidFilePath);
            if (pidFile.isEmpty()) {
                // PostgreSQL refuses to start on a pid file it cannot parse ("bogus data in lock file").
                log.warn("Deleting unreadable {}; no process holds the data directory", pidFilePath);
                deleteIfExists(pidFilePath);
                return Outcome.STALE_PID_FILE_DELETED;
            }
            PidFile found = pidFile.get();
            Optional<ProcessHandle> process = ProcessHandle.of(found.pid()).filter(p -> isRunning(p.pid()));
            if (process.isPresent() && isPostmasterOf(process.get(), directory)) {
                stop(process.get(), found, directory);
                if (Files.exists(pidFilePath)) {
                    // It had to be killed, so it could not remove its pid file; judge that file like any other.
                    handleStalePidFile(pidFilePath, found);
                }
                return Outcome.ORPHAN_STOPPED;
            }
            return handleStalePidFile(pidFilePath, found);
        }
    }

    private static Outcome handleStalePidFile(Path pidFilePath, PidFile found) {
        if (ProcessHandle.of(found.pid()).isEmpty()) {
            // Keep it: PostgreSQL handles a dead PID itself, and still uses the file to check that no leftover
            // backend is attached to the old shared memory before it starts.
            log.warn("{} names PID {}, which is gone; PostgreSQL will replace it", pidFilePath, found.pid());
            return Outcome.STALE_PID_FILE_KEPT;
        }
        // The PID exists but is someone else (after a reboot or container restart PIDs are reused, even by this
        // JVM) or a zombie. PostgreSQL only sees "a process with that PID is alive" and would refuse to start.
        log.warn("Deleting stale {}: PID {} is not a running postmaster of this data directory",
                pidFilePath, found.pid());
        deleteIfExists(pidFilePath);
        return Outcome.STALE_PID_FILE_DELETED;
    }

    private static void stop(ProcessHandle postmaster, PidFile pidFile, Path directory) {
        log.warn("Found orphaned PostgreSQL postmaster (PID {}, port {}) on {}, left by a registry that did not "
                + "shut down; stopping it", postmaster.pid(), pidFile.port(), directory);
        // Taken now because once the postmaster is gone its children are re-parented and no longer findable.
        List<ProcessHandle> children = postmaster.descendants().toList();

        if (stopWithPgCtl(postmaster, directory) && awaitExit(postmaster, SIGNAL_TIMEOUT)) {
            log.warn("Orphaned postmaster {} stopped with pg_ctl stop -m fast", postmaster.pid());
        } else {
            // SIGTERM is PostgreSQL's "smart" shutdown; it completes because the orphan's clients died with it.
            log.warn("Sending SIGTERM to orphaned postmaster {}", postmaster.pid());
            postmaster.destroy();
            if (!awaitExit(postmaster, SIGNAL_TIMEOUT)) {
                log.warn("Orphaned postmaster {} ignored SIGTERM; sending SIGKILL (the next start replays the WAL)",
                        postmaster.pid());
                postmaster.destroyForcibly();
                if (!awaitExit(postmaster, SIGNAL_TIMEOUT)) {
                    throw new IllegalStateException("Could not stop orphaned PostgreSQL postmaster "
                            + postmaster.pid() + " on " + directory);
                }
            }
        }
        // A new postmaster will not start while old backends are still attached to the shared memory.
        for (ProcessHandle child : children) {
            if (isRunning(child.pid())) {
                child.destroyForcibly();
                awaitExit(child, SIGNAL_TIMEOUT);
            }
        }
    }

    /** Runs {@code pg_ctl stop -m fast} from the installation the orphan itself was started from. */
    private static boolean stopWithPgCtl(ProcessHandle postmaster, Path directory) {
        Optional<Path> pgCtl = postmaster.info().command()
                .map(command -> Path.of(command).resolveSibling("pg_ctl"))
                .filter(Files::isExecutable);
        if (pgCtl.isEmpty()) {
            log.warn("No pg_ctl next to the orphan's executable {}", postmaster.info().command().orElse("(unknown)"));
            return false;
        }
        List<String> command = new ArrayList<>();
        // pg_ctl refuses to run as root; zonky therefore runs PostgreSQL's tools inside "unshare -U" when it
        // is root, and so must we.
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(pgCtl.get().toString(), "stop", "-D", directory.toString(),
                "-m", "fast", "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds())));
        try {
            Process pgCtlProcess = new ProcessBuilder(command).redirectErrorStream(true).start();
            pgCtlProcess.getOutputStream().close();
            // pg_ctl writes a line or two; reading them all also waits for it to finish.
            String output = new String(pgCtlProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!pgCtlProcess.waitFor(PG_CTL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
                pgCtlProcess.destroyForcibly();
                return false;
            }
            if (pgCtlProcess.exitValue() != 0) {
                log.warn("pg_ctl stop failed with exit code {}: {}", pgCtlProcess.exitValue(), output);
                return false;
            }
            return true;
        } catch (IOException e) {
            log.warn("Could not run {}: {}", command, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping orphaned postmaster", e);
        }
    }

    /**
     * Whether the process is a PostgreSQL server running on {@code directory}: its executable is
     * {@code postgres}, and it was started with {@code -D directory} or (Linux) has it as working directory,
     * which the postmaster always does.
     */
    static boolean isPostmasterOf(ProcessHandle process, Path directory) {
        ProcessHandle.Info info = process.info();
        boolean isPostgres = info.command()
                .map(command -> Path.of(command.replace(" (deleted)", "")).getFileName().toString())
                .map(name -> name.equals("postgres") || name.equals("postmaster"))
                .orElse(false);
        if (!isPostgres) {
            return false;
        }
        String[] arguments = info.arguments().orElse(new String[0]);
        for (int i = 0; i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-D") && sameDirectory(Path.of(arguments[i + 1]), directory)) {
                return true;
            }
        }
        try {
            return sameDirectory(Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")),
                    directory);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Whether the process exists and is not a zombie. {@link ProcessHandle#isAlive()} (and PostgreSQL's own
     * {@code kill(pid, 0)} check) count an exited process that nobody has reaped yet as alive.
     */
    static boolean isRunning(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Format: "pid (comm) state ..."; comm may itself contain spaces and parentheses.
            String afterCommand = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return !afterCommand.startsWith("Z") && !afterCommand.startsWith("X");
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux): isAlive() is the best answer there is.
            return true;
        }
    }

    /** Waits until the process has exited (or become a zombie); returns whether it did in time. */
    static boolean awaitExit(ProcessHandle process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // onExit() polls and treats a zombie as alive, so wait on it briefly and then check for zombies.
            while (System.nanoTime() < deadline) {
                try {
                    process.onExit().get(100, TimeUnit.MILLISECONDS);
                    return true;
                } catch (TimeoutException e) {
                    if (!isRunning(process.pid())) {
                        return true;
                    }
                }
            }
            return !isRunning(process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for process " + process.pid(), e);
        } catch (ExecutionException e) {
            return !isRunning(process.pid());
        }
    }

    private static boolean sameDirectory(Path candidate, Path directory) {
        try {
            return Files.isSameFile(candidate, directory);
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<PidFile> readPidFile(Path path) {
        try {
            return PidFile.parse(Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path, e);
        }
    }

    private static void deleteIfExists(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + path, e);
        }
    }

    /** Holds zonky's owner lock while recovering, proving that the JVM which started the server is gone. */
    private record OwnerLock(FileChannel channel, FileLock lock) implements AutoCloseable {

        static OwnerLock acquire(Path directory) {
            Path lockFile = directory.resolve(OWNER_LOCK_FILE);
            try {
                FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    channel.close();
                    throw new IllegalStateException("PostgreSQL data directory " + directory + " is in use by "
                            + "another running process (it holds " + lockFile + "); refusing to touch it");
                }
                return new OwnerLock(channel, lock);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot lock " + lockFile, e);
            }
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
