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

    /** Sum of the heap memory pools' peak usage since the JVM started, in bytes. */
    public static long jvmHeapPeakBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
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
