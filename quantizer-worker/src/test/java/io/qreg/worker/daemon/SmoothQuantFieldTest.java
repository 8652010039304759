package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.quant.QuantizationOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The recipe field {@code smoothQuantAlpha}: a number from 0 to 1 or "auto", for int8-static only. */
class SmoothQuantFieldTest {

    @TempDir
    Path dir;

    private QuantizationOptions options(String method, Object alpha) {
        Map<String, Object> recipe = new HashMap<>();
        recipe.put("method", method);
        recipe.put("smoothQuantAlpha", alpha);
        return RecipeFixtures.options(recipe, Map.of("input", dir.resolve("input.npy")));
    }

    @Test
    void aNumberOrAutoMapsOntoTheOptionsAndNullLeavesSmoothQuantOff() {
        assertThat(options("int8-static", 0.5).smoothQuantAlpha()).isEqualTo(0.5);
        assertThat(options("int8-static", 1L).smoothQuantAlpha()).isEqualTo(1.0);
        assertThat(options("int8-static", "auto").smoothQuantAuto()).isTrue();
        assertThat(options("int8-static", null).smoothQuantAlpha()).isNull();
    }

    @Test
    void otherMethodsAndAlphasOutsideZeroToOneOrNotANumberAreBadInputNamingTheField() {
        assertThatThrownBy(() -> options("int8-dynamic", 0.5)).isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: smoothQuantAlpha does not apply to int8-dynamic: SmoothQuant moves activation"
                        + " outliers into the weights before activation ranges are calibrated, which int8-static"
                        + " alone does");
        assertThatThrownBy(() -> options("int4-weight", "auto")).isInstanceOf(JobRunner.BadInputException.class)
                .hasMessageStartingWith("recipe: smoothQuantAlpha does not apply to int4-weight");
        assertThatThrownBy(() -> options("int8-static", 1.5)).isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: smoothQuantAlpha is the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on the calibration data, got 1.5");
        assertThatThrownBy(() -> options("int8-static", "strong")).isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: smoothQuantAlpha is the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on the calibration data, got 'strong'");
        assertThatThrownBy(() -> options("int8-static", true)).isInstanceOf(JobRunner.BadInputException.class)
                .hasMessage("recipe: smoothQuantAlpha is the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on the calibration data, got 'true'");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aQuantizeJobWithSmoothQuantForAnotherMethodFailsWithoutRetryNamingTheField() throws Exception {
        byte[] model = Files.readAllBytes(Fixtures.path("digits_mlp.onnx"));
        Map<String, Object> job = DaemonJobs.quantizeJob("job-1", FakeRegistry.sha256(model), "int8-dynamic",
                null);
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = (Map<String, Object>) job.get("recipe");
        recipe.put("smoothQuantAlpha", 0.5);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FakeRegistry registry = new FakeRegistry()) {
            registry.artifact("/api/v1/checkpoints/ckpt-1/content", model);
            registry.enqueue(job);
            WorkerDaemon daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), FakeRegistry.TOKEN)
                    .withName("test-worker").withWorkDir(dir).withClaimWait(Duration.ofSeconds(1))
                    .withBenchmark(3, 1).withLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
            try {
                FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
                assertThat(posted).as("a result; log:%n%s", log.toString(StandardCharsets.UTF_8)).isNotNull();
                assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
                assertThat((String) posted.result().get("error"))
                        .contains("smoothQuantAlpha does not apply to int8-dynamic");
                assertThat(posted.file()).isNull();
            } finally {
                daemon.stop(Duration.ofSeconds(5));
            }
        }
    }
}
