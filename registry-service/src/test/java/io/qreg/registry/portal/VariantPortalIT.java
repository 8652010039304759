package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The variant page without JavaScript: the lineage drawn as SVG with every node a link, the
 * engine's per-layer report, evaluations per slice, benchmarks with their hardware, the verdict's
 * checks, approvals, and the download under the portal session.
 */
class VariantPortalIT extends JobTestSupport {

    @Test
    void theVariantPageDrawsItsLineageAndShowsEveryPieceOfEvidence() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();
        String quantizeJob = submitQuantize(engineer, "calibrationDataset", Map.of("name", r.calibration(),
                "version", 1), "followUps", List.of(Map.of("type", "EVALUATE", "dataset",
                        Map.of("name", r.evaluation(), "version", 1)), Map.of("type", "BENCHMARK")));
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        Path out = scratch.resolve("variant.onnx");
        Map<String, Object> result = withSensitivity(quantizeFor(worker, claimed, out));
        JsonNode produced = ok(worker.result(quantizeJob, 1, "SUCCEEDED", result, Files.readAllBytes(out)), 200)
                .json();
        String variant = produced.get("variantId").asString();

        JsonNode evaluate = ok(worker.claim("5s"), 200).json();
        assertThat(evaluate.get("type").asString()).isEqualTo("EVALUATE");
        ok(worker.result(evaluate.get("id").asString(), 1, "SUCCEEDED", Map.of("evaluation",
                withClassFlips(VariantMaker.classification(0.95, 0.96, 0.97, -0.01, -0.03))), null), 200);
        JsonNode benchmark = ok(worker.claim("5s"), 200).json();
        ok(worker.result(benchmark.get("id").asString(), 1, "SUCCEEDED", Map.of("benchmark", Map.of("results",
                List.of(Map.of("model", "checkpoint", "latencyP50Ms", 0.5, "latencyP99Ms", 0.9, "speedup", 1.0),
                        Map.of("model", "variant", "latencyP50Ms", 0.25, "latencyP99Ms", 0.4, "speedup", 2.0)))),
                null), 200);
        String deployment = new VariantMaker(admin(), userWith("WORKER"), jdbc).deployment(engineer, r.model());
        JsonNode approval = ok(userWith("ENGINEER").post("/api/v1/approvals", Map.of("variantId", variant,
                "deployment", deployment, "environment", "production", "tier", "standard")), 201).json();

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var page = viewer.get("/variants/" + variant);
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        String checkpoint = r.checkpointId();
        // The lineage: inputs, the variant (linked to its job), evidence, approvals, an empty rollout stage.
        assertThat(html).contains("<svg", "class=\"qreg-lineage\"", "Lineage of variant")
                .contains("href=\"/models/" + r.model() + "#checkpoint-" + checkpoint + "\"")
                .contains("href=\"#recipe\"", "href=\"#calibration\"", "href=\"/jobs/" + quantizeJob + "\"")
                .contains("href=\"#evaluation-", "href=\"#benchmark-")
                .contains("href=\"/approvals/" + approval.get("id").asString() + "\"", "APPROVAL · PENDING")
                .contains("Rollouts", "none yet", "The lineage as a list");
        // Evidence and verdict, with the anchors the lineage points at.
        assertThat(html).contains("id=\"recipe\"", "id=\"calibration\"", "id=\"evaluation-", "id=\"benchmark-")
                .contains("On <span>" + r.evaluation() + "@1</span>", "Per slice (2)", "\u22120.0300")
                .contains("2.00×", "0.250 ms", "Test CPU · 2 cores · amd64")
                .contains("policy passed", "maxAccuracyDrop", "maxWorstSliceAccuracyDrop")
                .contains(r.calibration() + "@1", r.recipe() + "@1");
        // The flip rate per class: the classes that changed predictions, worst first; unchanged ones counted.
        assertThat(html).contains("Flip rate by class: 2 of 3 classes changed predictions")
                .containsSubsequence("<th scope=\"row\">7</th>", "0.0800", "<th scope=\"row\">3</th>", "0.0200");
        // The engine's report: a table of layers with their sensitivity, and the same figures as chart data.
        assertThat(html).contains("Engine report", "sensitivity-chart", "id=\"sensitivity-chart-data\"",
                "30.0 dB", "QUANTIZED");
        assertThat(html).contains("href=\"/variants/" + variant + "/download\"");
        // The engine's run of the written model beside the checkpoint (report.verification), among the facts.
        assertThat(html).contains("Verified in ONNX Runtime on")
                .containsPattern("16 generated samples · SQNR \\d+\\.\\d dB · top-1 agreement \\d+\\.\\d%");

        var download = viewer.getBytes("/variants/" + variant + "/download");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(Fixtures.sha256(download.body())).isEqualTo(Fixtures.sha256(out));
        assertThat(download.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");

        assertThat(viewer.get("/variants/00000000-0000-0000-0000-000000000002").statusCode()).isEqualTo(404);
        assertThat(viewer.getBytes("/variants/" + variant + "/download").statusCode()).isEqualTo(200);
        assertThat(anonymous().get("/variants/" + variant + "/download").status())
                .as("no session, no bytes").isIn(302, 401);
    }

    /** An evaluation as a worker reports it for a classifier against its checkpoint: with per-class flips. */
    private static Map<String, Object> withClassFlips(Map<String, Object> evaluation) {
        Map<String, Object> withFlips = new LinkedHashMap<>(evaluation);
        withFlips.put("flipRateByClass", Map.of(
                "3", Map.of("samples", 50, "flips", 1, "flipRate", 0.02),
                "5", Map.of("samples", 50, "flips", 0, "flipRate", 0.0),
                "7", Map.of("samples", 50, "flips", 4, "flipRate", 0.08)));
        return withFlips;
    }

    /** The report a worker sends when it measured per-layer sensitivity on calibration data. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withSensitivity(Map<String, Object> result) {
        Map<String, Object> report = new LinkedHashMap<>((Map<String, Object>) result.get("report"));
        List<Map<String, Object>> layers = new ArrayList<>();
        int i = 0;
        for (Object layer : (List<Object>) report.get("layers")) {
            Map<String, Object> l = new LinkedHashMap<>((Map<String, Object>) layer);
            l.put("sensitivitySqnrDb", 30.0 + 5 * i++);
            layers.add(l);
        }
        report.put("layers", layers);
        Map<String, Object> copy = new HashMap<>(result);
        copy.put("report", report);
        return copy;
    }
}
