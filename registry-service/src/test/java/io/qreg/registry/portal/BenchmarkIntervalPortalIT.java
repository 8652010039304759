package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.qreg.registry.policy.VariantEvidenceTest;

import org.junit.jupiter.api.Test;

/**
 * The portal shows a benchmark's speed-up with its 95 % interval (and "noisy") on the variant page, the model's
 * variant table and the comparison; a benchmark recorded without one says "(no interval)".
 */
class BenchmarkIntervalPortalIT extends VariantEvidenceTest {

    @Test
    void theVariantModelAndComparePagesShowTheSpeedupIntervalAndMarkANoisyOne() throws Exception {
        String model = maker.model(engineer, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of()), 200);
        String target = maker.hardwareTarget("portal");
        String noisy = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmarkWithInterval(engineer, noisy, target, 1.04, 0.78, 1.30, 5.0, 6.0);
        String older = maker.quantize(engineer, model, "int8-dynamic");
        maker.benchmark(engineer, older, target, 1.5, 4.0, 4_000_000);

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        String interval = "1.04× [0.78–1.30×] noisy";
        assertThat(viewer.get("/variants/" + noisy).body()).contains(interval);
        assertThat(viewer.get("/variants/" + older).body()).contains("1.50× (no interval)");
        String page = viewer.get("/models/" + model).body();
        String row = page.substring(page.indexOf("id=\"variant-" + noisy + "\""));
        assertThat(row.substring(0, row.indexOf("</tr>"))).contains(interval);
        String compare = viewer.get("/models/" + model + "/compare?a=" + older + "&b=" + noisy).body();
        assertThat(compare).contains("Speed-up, 95% interval", interval, "1.50× (no interval)");
    }
}
