package io.qreg.worker.cli;

import io.qreg.engine.ProgressListener;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar on stderr: {@code [#######.......]  45%  90/200  ETA 3s}, redrawn in place with a
 * carriage return at most ten times a second and erased when done. It never touches stdout, so {@code --json}
 * output stays one clean object.
 */
public final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String label;
    private String stage;
    private long startNanos = System.nanoTime();
    private long lastDraw = Long.MIN_VALUE;
    private int lastLength;

    private ProgressBar(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    /**
     * A bar when {@code forced} ({@code --progress}) or when stderr is a terminal; otherwise a listener that does
     * nothing, so that logs and CI output do not fill with redraws.
     */
    public static ProgressListener create(CliContext context, boolean forced, String label) {
        return forced || context.errIsTerminal() ? new ProgressBar(context.err(), label) : ProgressListener.NONE;
    }

    /** Whether this process's stderr is a terminal. Java has no isatty; on Linux procfs says where fd 2 points. */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            // No procfs: System.console() is non-null only when stdin and stdout are a terminal, a fair proxy.
            return System.console() != null;
        }
    }

    @Override
    public void progress(String stage, long done, long total) {
        long now = System.nanoTime();
        if (!stage.equals(this.stage)) {
            // A new stage (e.g. calibration, then the pass) starts its own bar and its own ETA.
            if (this.stage != null) {
                err.println();
                lastLength = 0;
            }
            this.stage = stage;
            startNanos = now;
            lastDraw = Long.MIN_VALUE;
        }
        if (done < total && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String eta = "";
        if (done > 0 && done < total) {
            long remainingSeconds = Math.round((now - startNanos) / 1e9 * (total - done) / done);
            eta = "  ETA " + formatSeconds(remainingSeconds);
        }
        String line = String.format("%s [%s%s] %3d%%  %d/%d%s", stage.equals(label) ? label : label + " " + stage,
                "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.round(fraction * 100), done, total, eta);
        // Pad over a longer previous line instead of relying on terminal escape codes.
        String padding = " ".repeat(Math.max(0, lastLength - line.length()));
        err.print("\r" + line + padding);
        err.flush();
        lastLength = line.length();
    }

    @Override
    public void finish() {
        if (lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }

    static String formatSeconds(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format("%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format("%02d", seconds / 60 % 60) + "m";
    }
}
