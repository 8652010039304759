package io.qreg.registry.ops;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.qreg.registry.web.InFlightRequests;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * A shutdown normally takes a second or two. When one takes longer, this says what it is waiting for, every few
 * seconds until it ends: the requests still open (a supervisor that kills after 10 s then leaves a log that
 * explains why), and the step the closing thread is in (a worker's running job, the embedded database's stop).
 */
@Component
@RequiredArgsConstructor
class ShutdownWatch {

    static final Duration FIRST_REPORT = Duration.ofSeconds(3);
    static final Duration REPORT_EVERY = Duration.ofSeconds(5);
    private static final int REQUESTS_NAMED = 5;
    private static final Logger log = LoggerFactory.getLogger(ShutdownWatch.class);

    private final InFlightRequests inFlight;

    /** First of the close listeners: the others (the embedded worker's stop) may be what takes long. */
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onClose(ContextClosedEvent closed) {
        Thread closing = Thread.currentThread();
        long started = System.nanoTime();
        Thread watch = new Thread(() -> watch(closing, closed.getApplicationContext(), started), "qreg-shutdown-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private void watch(Thread closing, ApplicationContext context, long started) {
        try {
            Thread.sleep(FIRST_REPORT.toMillis());
            while (closing.isAlive() && stillClosing(context)) {
                log.warn("shutdown still running after {} s: {}", Duration.ofNanos(System.nanoTime() - started)
                        .toSeconds(), waitingFor(closing));
                Thread.sleep(REPORT_EVERY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A context that has finished closing is no longer active. */
    private static boolean stillClosing(ApplicationContext context) {
        return !(context instanceof ConfigurableApplicationContext configurable) || configurable.isActive();
    }

    /**
     * E.g. "waiting for 1 open request (POST /api/v1/checkpoints for 8.2 s); the shutdown is in
     * DefaultLifecycleProcessor$LifecycleGroup.stop".
     */
    String waitingFor(Thread closing) {
        List<InFlightRequests.InFlight> open = inFlight.current();
        String requests = open.isEmpty() ? "no request is open" : "waiting for " + open.size() + " open request"
                + (open.size() == 1 ? "" : "s") + " (" + open.stream().limit(REQUESTS_NAMED).map(Object::toString)
                .collect(Collectors.joining(", ")) + (open.size() > REQUESTS_NAMED ? ", ..." : "") + ")";
        return requests + stepOf(closing).map(step -> "; the shutdown is in " + step).orElse("");
    }

    /** The innermost frame of our own code or a library's (not the JDK's) the closing thread is in. */
    static Optional<String> stepOf(Thread closing) {
        StackTraceElement[] stack = closing.getStackTrace();
        Optional<StackTraceElement> ours = Arrays.stream(stack)
                .filter(f -> f.getClassName().startsWith("io.qreg.")).findFirst();
        return ours.or(() -> Arrays.stream(stack).filter(f -> !f.getClassName().startsWith("java.")
                        && !f.getClassName().startsWith("jdk.") && !f.getClassName().startsWith("sun.")).findFirst())
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName());
    }
}
