package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A registry with its embedded worker, shared by the ITs that need real jobs run: the registry as the README's
 * run command starts it (its own JVM and embedded PostgreSQL, {@code QREG_EMBEDDED_WORKER=true}), also allowed to
 * deliver webhooks to the test receivers on 127.0.0.1. Starting one costs 15-25 s of CPU, so there is one per test
 * JVM: started for the first class that asks for it, kept in the launcher session's extension store, and stopped
 * (its data directory deleted, its log kept under target/it-data) when the JVM's tests are done.
 *
 * <p>Extend {@link WorkingRegistryTest}, which connects an admin client; or use
 * {@code @ExtendWith(WorkingRegistry.class)} and take a {@link RegistryProcess} parameter in a {@code @BeforeAll}
 * method. The classes share one database, so each names what it creates after itself and
 * asserts only on its own things (deltas, its own models). A test that stops, kills or reconfigures its registry
 * starts its own with {@link RegistryProcess#start}.
 */
public final class WorkingRegistry implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(WorkingRegistry.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RegistryProcess.class;
    }

    @Override
    public RegistryProcess resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // Not the root context's store: Surefire and Failsafe run each class of a reused fork as its own test plan
        // (one execution request per class), all within one launcher session, which lasts as long as the fork.
        // JUnit closes the session store's AutoCloseable values when the session closes.
        return context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, NAMESPACE)
                .computeIfAbsent(Running.class, key -> Running.start(), Running.class).registry();
    }

    /** The shared process and its data directory (its log is kept beside it). */
    private record Running(RegistryProcess registry, Path data) implements AutoCloseable {

        static Running start() {
            Path dir = Path.of("target", "it-data", "working-registry-" + UUID.randomUUID()).toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path data = dir.resolve("qreg-data");
            return new Running(RegistryProcess.startForJobs(data, "1g", Map.of(
                    "QREG_EMBEDDED_WORKER", "true",
                    "QREG_WEBHOOK_ALLOW_PRIVATE", "true")), data);
        }

        @Override
        public void close() throws Exception {
            registry.close();
            try (Stream<Path> files = Files.walk(data)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                // Only disk space: target/ is cleaned with the build.
            }
        }
    }
}
