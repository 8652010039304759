package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerPathsTest {

    @Test
    void unixPathsKeepOnlyTheirFileName() {
        assertThat(ServerPaths.redact("[Errno 2] No such file or directory: '/tmp/qreg-worker-81/in/model.onnx'"))
                .isEqualTo("[Errno 2] No such file or directory: '…/model.onnx'");
        assertThat(ServerPaths.redact("cannot write /work/data/artifacts/staging/ab12 (disk full)"))
                .isEqualTo("cannot write …/ab12 (disk full)");
    }

    @Test
    void windowsPathsKeepOnlyTheirFileName() {
        assertThat(ServerPaths.redact("load failed: C:\\Users\\ci\\qreg\\model.onnx is truncated"))
                .isEqualTo("load failed: …\\model.onnx is truncated");
        assertThat(ServerPaths.redact("share \\\\fileserver\\models\\m.onnx gone")).isEqualTo("share …\\m.onnx gone");
    }

    @Test
    void urlsFractionsAndPlainMessagesStayAsTheyAre() {
        String message = "GET https://hub.example.org/models/bert/v1 failed; 3/4 layers int8/fp32, see docs";
        assertThat(ServerPaths.redact(message)).isEqualTo(message);
        assertThat(ServerPaths.redact("accuracy drop 0.04 above budget 0.01")).isEqualTo(
                "accuracy drop 0.04 above budget 0.01");
        assertThat(ServerPaths.redact(null)).isNull();
    }
}
