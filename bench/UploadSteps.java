import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Diagnostic (JDK only): times, in one JVM and without HTTP, the steps the registry performs on
 * an uploaded file, so an upload figure can be split into its parts:
 * {@code java bench/UploadSteps.java FILE [REPS]}.
 *
 * <ol>
 * <li>{@code read}: read the file once with a 256 KiB buffer (what the ONNX header reader costs,
 *     since it reads the staged file to its end to detect truncation);
 * <li>{@code sha256}: SHA-256 of the file with {@link MessageDigest} (the JDK's, possibly with
 *     SHA-NI intrinsics, unlike coreutils' sha256sum);
 * <li>{@code stage}: copy the file through a {@link DigestOutputStream} into a new file next to
 *     it with a 256 KiB buffer, as ArtifactService.stage does (no fsync, as the server does none).
 * </ol>
 * Each step runs REPS times (default 3) after one untimed warm-up pass; the median is printed in
 * MB/s (10^6 bytes/s). The staged copy is deleted.
 */
public final class UploadSteps {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long size = Files.size(file);
        Path copy = file.resolveSibling(file.getFileName() + ".steps");
        try {
            step("read", size, reps, () -> read(file, null));
            step("sha256", size, reps, () -> read(file, MessageDigest.getInstance("SHA-256")));
            step("stage", size, reps, () -> stage(file, copy));
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    static void step(String name, long size, int reps, Step step) throws Exception {
        step.run();
        double[] rates = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            step.run();
            rates[i] = size / ((System.nanoTime() - t0) / 1e9) / 1e6;
        }
        java.util.Arrays.sort(rates);
        System.out.println(String.format(Locale.ROOT, "%s_mbps=%.1f", name, rates[reps / 2]));
    }

    static void read(Path file, MessageDigest digest) throws Exception {
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        if (digest != null) {
            HexFormat.of().formatHex(digest.digest());
        }
    }

    static void stage(Path file, Path copy) throws Exception {
        Files.deleteIfExists(copy);
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file);
                OutputStream out = new DigestOutputStream(Files.newOutputStream(copy),
                        MessageDigest.getInstance("SHA-256"))) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        Files.delete(copy);
    }
}
