package io.qreg.worker.daemon;

import io.qreg.worker.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HardwareProfileTest {

    @Test
    void detectsThisMachine() {
        HardwareProfile profile = HardwareProfile.detect();
        assertThat(profile.cores()).isGreaterThanOrEqualTo(1);
        assertThat(profile.memoryBytes()).isGreaterThan(0);
        assertThat(profile.os()).startsWith(System.getProperty("os.name"));
        assertThat(profile.arch()).isEqualTo(System.getProperty("os.arch"));
        assertThat(profile.onnxRuntimeVersion()).matches("\\d+\\.\\d+.*");
        assertThat(profile.executionProviders()).contains("CPU");
        assertThat(profile.engineVersion()).isNotBlank();
        if (List.of("amd64", "x86_64").contains(profile.arch()) && System.getProperty("os.name").equals("Linux")) {
            assertThat(profile.flags()).isNotEmpty().contains("sse2").allMatch(f -> f.equals(f.toLowerCase()));
            assertThat(profile.cpuModel()).isNotBlank();
        }
    }

    @Test
    void mapHasTheProtocolFields() {
        Map<String, Object> map = HardwareProfile.detect().toMap();
        assertThat(map).containsKeys("os", "arch", "cpuModel", "cores", "memoryBytes", "flags", "onnxRuntimeVersion",
                "executionProviders", "gpu", "engineVersion");
        assertThat(Json.parseObject(Json.write(map))).containsEntry("cores", (long) (int) map.get("cores"));
    }

    @Test
    void readsArmFeaturesAndAddsNeon() {
        String cpuinfo = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp ASIMD evtstrm aes asimddp\n"
                + "CPU implementer\t: 0x41\n";
        assertThat(HardwareProfile.flags(cpuinfo)).containsExactly("aes", "asimd", "asimddp", "evtstrm", "fp", "neon");
    }

    @Test
    void readsX86FlagsOfTheFirstProcessor() {
        String cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu AVX2 avx512f\n\n"
                + "processor\t: 1\nflags\t\t: other\n";
        assertThat(HardwareProfile.flags(cpuinfo)).containsExactly("avx2", "avx512f", "fpu");
        assertThat(HardwareProfile.cpuModel(cpuinfo, "amd64")).isEqualTo("AMD EPYC 9R14");
        assertThat(HardwareProfile.memTotal("MemTotal:       16384 kB\nMemFree: 1 kB\n")).isEqualTo(16384L * 1024);
    }

    @Test
    void summaryNamesTheVectorInstructionsInWordsInsteadOfCountingFlags() {
        HardwareProfile x86 = new HardwareProfile("Linux 6.1", "amd64", "AMD EPYC 9R14", 8, 16L << 30,
                List.of("avx", "avx2", "avx512_vnni", "avx512f", "fma", "fpu", "sse2", "sse4_2"), "1.23.2",
                List.of("CPU"), null, "engine 1");
        assertThat(x86.summary()).isEqualTo("8 cores, 16.0 GiB memory, vector instructions SSE4.2, AVX, AVX2, FMA,"
                + " AVX-512, AVX-512 VNNI, ONNX Runtime 1.23.2 (CPU)");

        HardwareProfile arm = new HardwareProfile("Linux 6.1", "aarch64", "Neoverse", 4, 8L << 30,
                HardwareProfile.flags("Features\t: fp asimd asimddp i8mm\n"), "1.23.2", List.of("CPU", "CUDA"),
                "NVIDIA A10G", "engine 1");
        assertThat(arm.summary()).contains("vector instructions NEON, dot product (SDOT/UDOT), Int8 matrix multiply")
                .endsWith("(CPU, CUDA, NVIDIA A10G)");

        HardwareProfile bare = new HardwareProfile("Linux", "riscv64", "?", 1, 1L << 30, List.of("fpu"), "1.23.2",
                List.of("CPU"), null, "engine 1");
        assertThat(bare.summary()).contains("no vector instructions beyond the baseline").doesNotContain("flags");
    }
}
