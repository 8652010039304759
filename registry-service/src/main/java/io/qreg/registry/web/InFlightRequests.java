package io.qreg.registry.web;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * The requests this instance is serving right now, so that a shutdown that waits for them can say which
 * ones it waits for (a long poll, an upload, an event stream).
 */
@Component
public class InFlightRequests {

    /** One request being served; identity, not its fields, tells two alike requests apart. */
    @RequiredArgsConstructor(access = AccessLevel.PRIVATE)
    public static final class InFlight {
        private final String method;
        private final String path;
        private final long startedNanos;

        public Duration age() {
            return Duration.ofNanos(System.nanoTime() - startedNanos);
        }

        /** E.g. {@code POST /api/v1/checkpoints for 12.3 s}. */
        @Override
        public String toString() {
            return method + " " + path + " for " + age().toMillis() / 100 / 10.0 + " s";
        }
    }

    private final Set<InFlight> requests = ConcurrentHashMap.newKeySet();

    InFlight started(String method, String path, long startedNanos) {
        InFlight request = new InFlight(method, path, startedNanos);
        requests.add(request);
        return request;
    }

    void finished(InFlight request) {
        requests.remove(request);
    }

    /** Oldest first. */
    public List<InFlight> current() {
        return requests.stream().sorted(Comparator.comparingLong(r -> r.startedNanos)).toList();
    }
}
