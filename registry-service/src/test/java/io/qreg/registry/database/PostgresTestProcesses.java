package io.qreg.registry.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Test helper that makes sure no PostgreSQL process outlives a test, whatever the test's outcome. */
final class PostgresTestProcesses {

    private PostgresTestProcesses() {
    }

    /**
     * Kills (SIGKILL) every process that runs in or names {@code directory}: a postmaster started with
     * {@code -D directory} and its children, which all have the data directory as working directory.
     */
    static void killAllUsing(Path directory) {
        Path root = directory.toAbsolutePath().normalize();
        List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
                .filter(process -> process.pid() != ProcessHandle.current().pid())
                .filter(process -> usesDirectory(process, root))
                .toList();
        leftovers.forEach(ProcessHandle::destroyForcibly);
        leftovers.forEach(process -> OrphanedPostmaster.awaitExit(process, Duration.ofSeconds(10)));
    }

    private static boolean usesDirectory(ProcessHandle process, Path root) {
        if (process.info().commandLine().map(line -> line.contains(root.toString())).orElse(false)) {
            return true;
        }
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")).startsWith(root);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
