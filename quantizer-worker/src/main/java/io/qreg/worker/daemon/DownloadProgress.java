package io.qreg.worker.daemon;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Turns a download's bytes into job progress within its phase {@code [from, to]}, with a message a person reads
 * ("downloading checkpoint: 12.3 MB of 85.1 MB"), so a large checkpoint does not sit for seconds at
 * "0% downloading checkpoint". Reports are throttled: one when another 1 % of the bytes has arrived or
 * {@link #INTERVAL_NANOS} has passed since the last, whichever comes first, so a fast download on a fast link
 * does not report once per 64 KiB buffer, and a slow one still moves every quarter second.
 */
final class DownloadProgress implements RegistryClient.DownloadListener {

    /** Where the bytes go: {@link JobControl#report} in the worker, a recorder in tests. */
    interface Reporter {
        void report(double fraction, String message);
    }

    static final long INTERVAL_NANOS = 250_000_000L;

    private final String what;
    private final double from;
    private final double to;
    private final Reporter reporter;
    private final LongSupplier clock;
    private long lastBytes;
    private long lastAt;

    DownloadProgress(String what, double from, double to, Reporter reporter) {
        this(what, from, to, reporter, System::nanoTime);
    }

    DownloadProgress(String what, double from, double to, Reporter reporter, LongSupplier clock) {
        this.what = what;
        this.from = from;
        this.to = to;
        this.reporter = reporter;
        this.clock = clock;
        this.lastAt = clock.getAsLong();
    }

    @Override
    public void received(long bytes, long total) {
        long now = clock.getAsLong();
        boolean anotherPercent = total > 0 && (bytes - lastBytes) * 100 >= total;
        boolean done = total > 0 && bytes >= total;
        if (!anotherPercent && !done && now - lastAt < INTERVAL_NANOS) {
            return;
        }
        lastBytes = bytes;
        lastAt = now;
        double within = total > 0 ? Math.min(1, (double) bytes / total) : 0;
        reporter.report(from + (to - from) * within, "downloading " + what + ": " + size(bytes)
                + (total > 0 ? " of " + size(total) : ""));
    }

    /** Decimal units, one decimal: what a person compares with the size the model page shows. */
    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
