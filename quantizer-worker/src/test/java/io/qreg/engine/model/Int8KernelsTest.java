package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class Int8KernelsTest {

    @Test
    void x86WithoutVnniSaturatesAndVnniOrArmDoesNot() {
        assertThat(Int8Kernels.saturates("amd64", List.of("avx2", "fma"))).isTrue();
        assertThat(Int8Kernels.saturates("x86_64", List.of("avx2", "avx512f", "avx512bw"))).isTrue();
        assertThat(Int8Kernels.saturates("amd64", List.of("avx2", "avx512f", "avx512_vnni"))).isFalse();
        assertThat(Int8Kernels.saturates("amd64", List.of("avx2", "avx_vnni"))).isFalse();
        assertThat(Int8Kernels.saturates("aarch64", List.of("asimd", "neon"))).isFalse();
    }
}
