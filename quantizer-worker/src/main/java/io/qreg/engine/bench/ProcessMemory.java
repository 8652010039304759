package io.qreg.engine.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Memory figures of this process. ONNX Runtime allocates natively, outside the Java heap, so the JVM's own
 * numbers miss almost all of a model's cost; the resident set from {@code /proc/self/status} (Linux) sees it.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Current resident set size ({@code VmRSS}) in bytes, or empty where procfs is unavailable. */
    public static OptionalLong residentBytes() {
        return statusField("VmRSS:");
    }

    /** Peak resident set size of the process so far ({@code VmHWM}, "high water mark") in bytes, or empty. */
    public static OptionalLong peakResidentBytes() {
        return statusField("VmHWM:");
    }

    /**
     * Peak Java heap use since the JVM started, in bytes: the sum of the heap pools' peaks, or the current use if
     * larger. G1 updates its pool figures only at collections and region retirement, so a short run without a
     * collection reports 0 there; {@link Runtime} counts the region being allocated into as well.
     */
    public static long jvmHeapPeakBytes() {
        long peaks = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peaks += pool.getPeakUsage().getUsed();
            }
        }
        Runtime runtime = Runtime.getRuntime();
        long current = Math.max(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                runtime.totalMemory() - runtime.freeMemory());
        return Math.max(peaks, current);
    }

    private static OptionalLong statusField(String field) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith(field)) {
                    // e.g. "VmRSS:	  123456 kB"
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
