package io.qreg.worker.daemon;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.qreg.worker.json.RecordJson;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What this machine offers, as the registry matches hardware targets against it: CPU feature flags as
 * {@code /proc/cpuinfo} writes them (lowercase; plus {@code neon} on ARM with Advanced SIMD), cores, memory and
 * the ONNX Runtime build with its execution providers.
 *
 * @param gpu a description of the GPU, or {@code null} unless ONNX Runtime offers the CUDA provider
 */
public record HardwareProfile(String os, String arch, String cpuModel, int cores, long memoryBytes, List<String> flags,
        String onnxRuntimeVersion, List<String> executionProviders, String gpu, String engineVersion) {

    public HardwareProfile {
        flags = List.copyOf(flags);
        executionProviders = List.copyOf(executionProviders);
    }

    public static HardwareProfile detect() {
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        List<String> flags = flags(cpuinfo);
        String arch = System.getProperty("os.arch");
        String cpuModel = cpuModel(cpuinfo, arch);
        long memory = memTotal(read(Path.of("/proc/meminfo")));
        if (memory <= 0) {
            memory = mxBeanMemory();
        }
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        List<String> providers = new ArrayList<>();
        for (OrtProvider provider : OrtEnvironment.getAvailableProviders()) {
            providers.add(provider.name());
        }
        String gpu = providers.contains(OrtProvider.CUDA.name()) ? gpuName() : null;
        return new HardwareProfile(System.getProperty("os.name") + " " + System.getProperty("os.version"), arch,
                cpuModel, Runtime.getRuntime().availableProcessors(), memory, flags, ort.getVersion(), providers, gpu,
                EngineVersion.get());
    }

    /** The protocol's {@code hardwareProfile} object. */
    public Map<String, Object> toMap() {
        return RecordJson.members(this);
    }

    /**
     * This machine in words for a log line, e.g. {@code "2 cores, 15.6 GiB memory, vector instructions AVX2, FMA,
     * ONNX Runtime 1.23.2 (CPU)"}.
     */
    public String summary() {
        return cores + " cores, " + String.format(Locale.ROOT, "%.1f GiB memory", memoryBytes / (double) (1L << 30))
                + ", " + VectorExtensions.describe(flags) + ", ONNX Runtime " + onnxRuntimeVersion + " ("
                + String.join(", ", executionProviders)
                + (gpu != null ? ", " + gpu : "") + ")";
    }

    /** The x86 {@code flags} line or ARM {@code Features} line of the first processor, sorted and lowercase. */
    static List<String> flags(String cpuinfo) {
        TreeSet<String> flags = new TreeSet<>();
        String line = field(cpuinfo, "flags");
        if (line == null) {
            line = field(cpuinfo, "Features");
        }
        if (line != null) {
            Arrays.stream(line.trim().split("\\s+")).filter(s -> !s.isEmpty())
                    .map(s -> s.toLowerCase(Locale.ROOT)).forEach(flags::add);
        }
        if (flags.contains("asimd")) {
            flags.add("neon"); // Advanced SIMD is what ARM calls NEON on AArch64
        }
        return List.copyOf(flags);
    }

    static String cpuModel(String cpuinfo, String arch) {
        for (String key : List.of("model name", "Model", "Hardware", "cpu model", "Processor")) {
            String value = field(cpuinfo, key);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return arch;
    }

    /** The value of the first {@code key : value} line of /proc/cpuinfo with exactly this key. */
    private static String field(String cpuinfo, String key) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1);
            }
        }
        return null;
    }

    static long memTotal(String meminfo) {
        String value = field(meminfo, "MemTotal");
        if (value == null) {
            return -1;
        }
        String[] parts = value.trim().split("\\s+");
        try {
            long amount = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? amount * 1024 : amount;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long mxBeanMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** The NVIDIA driver's model name of the first GPU, or just "CUDA" when the driver does not say. */
    private static String gpuName() {
        Path gpus = Path.of("/proc/driver/nvidia/gpus");
        if (Files.isDirectory(gpus)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(gpus)) {
                for (Path dir : dirs) {
                    String model = field(read(dir.resolve("information")), "Model");
                    if (model != null) {
                        return model.trim();
                    }
                }
            } catch (IOException ignored) {
                // fall through
            }
        }
        return "CUDA";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
