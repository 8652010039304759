package io.qreg.registry.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's promise: data survives a clean restart, and a SIGKILL followed by a start. */
class RestartIT {

    @TempDir
    Path dir;

    @Test
    void dataSurvivesACleanRestartAndASigkill() throws Exception {
        Path data = dir.resolve("qreg-data");
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String checkpointId;

        try (RegistryProcess first = RegistryProcess.start(data, "512m", Map.of())) {
            var api = first.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/models", Map.of("name", "survivor", "task", "classification")).status())
                    .isEqualTo(201);
            var upload = api.upload("/api/v1/models/survivor/checkpoints",
                    Map.of("version", "1.0.0", "license", "MIT"), onnx, "m.onnx");
            assertThat(upload.status()).isEqualTo(201);
            checkpointId = upload.json().get("id").asString();
            first.stop();
        }

        try (RegistryProcess second = RegistryProcess.start(data, "512m", Map.of())) {
            var api = second.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(api.get("/api/v1/models/survivor").status()).isEqualTo(200);
            assertThat(api.post("/api/v1/models", Map.of("name", "written-before-kill", "task", "other")).status())
                    .isEqualTo(201);
            second.kill();
        }
        assertThat(Files.exists(data.resolve("postgres").resolve("postmaster.pid")))
                .as("SIGKILL leaves the embedded PostgreSQL's lock file behind").isTrue();

        try (RegistryProcess third = RegistryProcess.start(data, "512m", Map.of())) {
            var api = third.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(api.get("/api/v1/models/survivor").status()).isEqualTo(200);
            assertThat(api.get("/api/v1/models/written-before-kill").status()).isEqualTo(200);
            var content = api.client().send(api.request("/api/v1/checkpoints/" + checkpointId + "/content").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(content.body()).isEqualTo(onnx);
            assertThat(api.get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
            assertThat(api.get("/api/v1/users").json()).as("the admin is not created twice").hasSize(1);
        }
    }
}
