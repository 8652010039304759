package io.qreg.worker.daemon;

import static io.qreg.worker.daemon.DaemonJobs.CHECKPOINT_URL;
import static io.qreg.worker.daemon.DaemonJobs.VARIANT_URL;
import static io.qreg.worker.daemon.DaemonJobs.benchmarkJob;
import static io.qreg.worker.daemon.DaemonJobs.quantizeJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.bench.ShapeModels;
import io.qreg.engine.quant.DivideModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's refusals reach the registry as FAILED jobs with the engine's words, not retried: a quantized model
 * that breaks when run, and a benchmark of a model whose input shapes cannot be known.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerJobChecksTest {

    @TempDir
    Path workDir;
    @TempDir
    Path models;

    @RegisterExtension
    final DaemonUnderTest worker = new DaemonUnderTest();
    private final FakeRegistry registry = worker.registry;

    private FakeRegistry.Posted run(Map<String, Object> job) throws InterruptedException {
        registry.enqueue(job);
        worker.start(worker.config(workDir).withBenchmark(3, 1));
        return worker.awaitResult();
    }

    @Test
    void aQuantizeJobWhoseModelGivesInfinityFailsWithoutRetryAndPostsNoFile() throws Exception {
        byte[] divide = Files.readAllBytes(DivideModel.write(models.resolve("divide.onnx")));
        registry.artifact(CHECKPOINT_URL, divide);

        FakeRegistry.Posted posted = run(quantizeJob("job-1", FakeRegistry.sha256(divide),
                "int8-dynamic", null));

        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("so it was not kept",
                "NaN or infinite values in output 'y' where the original is finite");
        assertThat(posted.file()).isNull();
    }

    @Test
    void aBenchmarkJobOnAModelWithASymbolicFeatureDimensionFailsNamingIt() throws Exception {
        byte[] symbolic = Files.readAllBytes(ShapeModels.model(models, "symbolic.onnx",
                ShapeModels.symbolic("batch", "features")));
        registry.artifact(CHECKPOINT_URL, symbolic);
        registry.artifact(VARIANT_URL, symbolic);

        FakeRegistry.Posted posted = run(benchmarkJob("job-2", FakeRegistry.sha256(symbolic),
                FakeRegistry.sha256(symbolic)));

        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error"))
                .startsWith("input 'x' dimension 1 ('features') is symbolic; set it with --shape")
                .doesNotContain("Exception");
    }
}
