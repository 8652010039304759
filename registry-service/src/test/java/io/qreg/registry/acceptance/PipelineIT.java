package io.qreg.registry.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * QReg as a CI/CD pipeline meets it: the registry the README's run command starts (its own
 * embedded worker, nothing mocked) driven over HTTP by the pipeline script of docs/ci-cd.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {

    private static final Path SCRIPT = Path.of("..", "scripts", "qreg-ci.sh").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private RegistryProcess registry;
    private HttpApi admin;

    @BeforeAll
    void startRegistry() {
        registry = RegistryProcess.start(dir.resolve("qreg-data"), "1g", Map.of("QREG_EMBEDDED_WORKER", "true"));
        admin = registry.api(IntegrationTest.ADMIN_TOKEN);
    }

    @AfterAll
    void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    /** The script's output and exit code. */
    record Run(int exitCode, String output) {
    }

    private Run pipeline(String token, String... args) throws IOException, InterruptedException {
        boolean tools = List.of("bash", "curl", "jq").stream().allMatch(PipelineIT::onPath);
        if (!tools && !"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.abort("the pipeline script needs bash, curl and jq (.ci/run installs jq)");
        }
        Path out = dir.resolve("pipeline-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(concat("bash", SCRIPT.toString(), args))
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(Map.of("QREG_URL", registry.baseUrl(), "QREG_TOKEN", token,
                "QREG_LICENSE", "MIT", "QREG_POLL_SECONDS", "0.5", "QREG_TIMEOUT_SECONDS", "300"));
        Process process = builder.start();
        assertThat(process.waitFor(6, TimeUnit.MINUTES)).as("pipeline finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void thePipelineScriptPassesAVariantWithinPolicyAndFailsTheBuildOnTheCheckThatBreaks() throws Exception {
        String engineer = token("ENGINEER");
        assertThat(admin.post("/api/v1/models", Map.of("name", "digits", "task", "classification",
                "riskTier", "standard")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/recipes", Map.of("name", "int8", "method", "int8-dynamic")).status())
                .isEqualTo(201);
        assertThat(admin.upload("/api/v1/datasets", Map.of("name", "digits-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip").status()).isEqualTo(201);
        Path onnx = dir.resolve("digits_mlp.onnx");
        Files.write(onnx, Fixtures.bytes("digits_mlp.onnx"));

        Run passed = pipeline(engineer, "digits", "1.0.0", onnx.toString(), "int8", "digits-eval@1");
        assertThat(passed.exitCode()).as(passed.output()).isZero();
        assertThat(passed.output()).contains("checkpoint digits@1.0.0 registered", "PASS  maxAccuracyDrop",
                "policy verdict: PASSED");

        // A stricter policy: the same build (same checkpoint, reused) now fails on the speed-up it cannot reach.
        assertThat(admin.put("/api/v1/models/digits/policy", Map.of("maxAccuracyDrop", 0.05, "minSpeedup", 50))
                .status()).isEqualTo(200);
        Run failed = pipeline(engineer, "digits", "1.0.0", onnx.toString(), "int8", "digits-eval@1");
        assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output()).contains("already registered", "FAIL  minSpeedup @any",
                "policy verdict: FAILED: minSpeedup");

        Run unknown = pipeline(engineer, "no-such-model", "1.0.0", onnx.toString(), "int8", "digits-eval@1");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).contains("404", "model 'no-such-model' does not exist");
    }

    private String token(String role) {
        String username = role.toLowerCase() + "-" + System.nanoTime();
        assertThat(admin.post("/api/v1/users", Map.of("username", username, "roles", List.of(role))).status())
                .isEqualTo(201);
        return admin.post("/api/v1/tokens", Map.of("name", "ci", "username", username)).json().get("token").asString();
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String[] concat(String first, String second, String... rest) {
        String[] all = new String[rest.length + 2];
        all[0] = first;
        all[1] = second;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }
}
