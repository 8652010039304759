package io.qreg.engine.benchmark;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Peak Java heap use during one piece of work, measured two ways:
 * <ul>
 * <li><b>sampled</b>: a daemon thread reads {@link MemoryMXBean#getHeapMemoryUsage()} used bytes every
 * {@value #SAMPLE_MILLIS} ms (a peak shorter than that between two samples can be missed);</li>
 * <li><b>pool peaks</b>: the heap pools' peak usage, reset before the work ({@link MemoryPoolMXBean#resetPeakUsage()})
 * and summed after it. The pools peak at different moments, so the sum is an upper bound; G1 updates the figures
 * at collections and region retirement.</li>
 * </ul>
 * Garbage (not yet collected) counts as used in both, so they are what the heap had to hold, not the live set.
 * Also counts collections and their time, to tell whether the garbage collector is a cost.
 */
final class HeapWatch implements AutoCloseable {

    static final int SAMPLE_MILLIS = 2;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final long gcCountBefore;
    private final long gcMillisBefore;
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long sampledPeak;
    private Result result;

    record Result(long sampledPeakBytes, long poolPeakSumBytes, long gcCount, long gcMillis) {

        /** The larger, i.e. more pessimistic, of the two measurements. */
        long peakBytes() {
            return Math.max(sampledPeakBytes, poolPeakSumBytes);
        }
    }

    /** Collects garbage first, so that the previous work's garbage is not charged to this one. */
    HeapWatch() {
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        gcCountBefore = gcCount();
        gcMillisBefore = gcMillis();
        sampledPeak = memory.getHeapMemoryUsage().getUsed();
        sampler = new Thread(() -> {
            while (running) {
                long used = memory.getHeapMemoryUsage().getUsed();
                if (used > sampledPeak) {
                    sampledPeak = used;
                }
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    Result stop() {
        if (result == null) {
            running = false;
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long used = memory.getHeapMemoryUsage().getUsed();
            long pools = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            result = new Result(Math.max(sampledPeak, used), pools, gcCount() - gcCountBefore,
                    gcMillis() - gcMillisBefore);
        }
        return result;
    }

    @Override
    public void close() {
        stop();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).filter(c -> c > 0).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(c -> c > 0).sum();
    }
}
