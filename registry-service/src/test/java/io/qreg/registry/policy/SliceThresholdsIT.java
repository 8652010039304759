package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Named slices on datasets and per-slice thresholds in policies (issue 14 item 4), over HTTP. */
class SliceThresholdsIT extends PolicyTestSupport {

    /** The digits evaluation set has 500 samples: ids 0 (common) for most, 1 (rare-fraud) for every tenth. */
    private static final int SAMPLES = 500;

    private static byte[] slices(int distinctIds) {
        long[] ids = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            ids[i] = i % 10 == 0 ? distinctIds - 1 : i % Math.max(1, distinctIds - 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            NpyWriter.write(out, NpyDType.INT64, new long[] {SAMPLES}, ids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] datasetZip(boolean withSlices, int distinctIds) {
        return datasetZip(withSlices, distinctIds, false);
    }

    /** With {@code namesInArchive}, the archive carries slice_names.npy as numpy writes it: ["common", "rare-fraud"]. */
    private static byte[] datasetZip(boolean withSlices, int distinctIds, boolean namesInArchive) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        if (namesInArchive) {
            entries.put("slice_names.npy", Fixtures.bytes("slice_names.npy"));
        }
        entries.put("input.npy", Fixtures.bytes("digits_eval_x.npy"));
        entries.put("labels.npy", Fixtures.bytes("digits_eval_y.npy"));
        if (withSlices) {
            entries.put("slices.npy", slices(distinctIds));
        }
        return Fixtures.zip(entries);
    }

    private HttpApi.Reply upload(String name, Object sliceNames, boolean withSlices, int distinctIds) {
        Map<String, Object> metadata = new LinkedHashMap<>(Map.of("name", name, "purpose", "evaluation"));
        metadata.put("sliceNames", sliceNames);
        return engineer.upload("/api/v1/datasets", metadata, datasetZip(withSlices, distinctIds), "eval.zip");
    }

    private static String name() {
        return "sliced-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An evaluation whose overall accuracy barely moves but whose slices drop by the given deltas (ids 0, 1, ...). */
    private static Map<String, Object> evaluation(double... sliceDeltas) {
        return VariantMaker.classification(0.959, 0.96, 0.99, sliceDeltas);
    }

    @Test
    void aDatasetNamesItsSlicesAndItsEvaluationsShowTheNamesNotTheIds() {
        String dataset = name();
        JsonNode created = ok(upload(dataset, List.of("common", "rare-fraud"), true, 2), 201).json();
        assertThat(created.get("sliceNames").toString()).isEqualTo("[\"common\",\"rare-fraud\"]");

        String model = maker.model(engineer, "classification", "standard");
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.evaluateOn(engineer, variant, dataset, evaluation(-0.001, -0.02));
        JsonNode slices = ok(engineer.get("/api/v1/variants/" + variant), 200).json().get("evaluations").get(0)
                .get("slices");
        assertThat(slices.propertyNames()).containsExactly("common", "rare-fraud");
        assertThat(slices.get("rare-fraud").get("sliceId").asLong()).isEqualTo(1);
        assertThat(slices.get("rare-fraud").get("deltas").get("accuracy").asDouble()).isEqualTo(-0.02);
    }

    @Test
    void anArchiveMayNameItsSlicesWithASliceNamesArrayButNotTwice() {
        String dataset = name();
        JsonNode created = ok(engineer.upload("/api/v1/datasets", Map.of("name", dataset, "purpose", "evaluation"),
                datasetZip(true, 2, true), "eval.zip"), 201).json();
        assertThat(created.get("sliceNames").toString()).isEqualTo("[\"common\",\"rare-fraud\"]");
        assertThat(created.get("inputs").toString()).doesNotContain("slice_names");

        String twice = name();
        HttpApi.Reply both = engineer.upload("/api/v1/datasets", Map.of("name", twice, "purpose", "evaluation",
                "sliceNames", List.of("common", "rare-fraud")), datasetZip(true, 2, true), "eval.zip");
        assertThat(both.status()).as(both.body()).isEqualTo(400);
        assertThat(both.json().get("field").asString()).isEqualTo("sliceNames");
        String mismatch = name();
        HttpApi.Reply wrongLength = engineer.upload("/api/v1/datasets", Map.of("name", mismatch, "purpose",
                "evaluation"), datasetZip(true, 3, true), "eval.zip");
        assertThat(wrongLength.status()).as(wrongLength.body()).isEqualTo(400);
        assertThat(wrongLength.json().get("field").asString()).isEqualTo("slice_names");
        assertThat(jdbc.queryForObject("select count(*) from dataset where name in (?, ?)", Long.class, twice,
                mismatch)).isZero();
    }

    @Test
    void aPerSliceThresholdGatesAVariantOnItsOwnAndTheVerdictNamesTheSlice() {
        String dataset = name();
        ok(upload(dataset, List.of("common", "rare-fraud"), true, 2), 201);
        String model = maker.model(engineer, "classification", "standard");
        JsonNode policy = ok(admin().put("/api/v1/models/" + model + "/policy", Map.of("maxAccuracyDrop", 0.05,
                "sliceThresholds", Map.of("rare-fraud", Map.of("maxAccuracyDrop", 0.005)))), 200).json();
        assertThat(policy.get("sliceThresholds").get("rare-fraud").get("maxAccuracyDrop").asDouble())
                .isEqualTo(0.005);

        String failing = maker.quantize(engineer, model, "int8-dynamic");
        maker.evaluateOn(engineer, failing, dataset, evaluation(-0.001, -0.02));
        JsonNode slice = check(failing, "sliceThresholds.rare-fraud.maxAccuracyDrop");
        assertThat(slice.get("passed").asBoolean()).isFalse();
        assertThat(slice.get("actual").asDouble()).isEqualTo(0.02);
        assertThat(slice.get("detail").asString()).contains("accuracy drop 0.02 > 0.005", "slice 'rare-fraud' of "
                + dataset + "@1");
        assertThat(check(failing, "maxAccuracyDrop").get("passed").asBoolean()).as("overall drop is 0.001").isTrue();

        String passing = maker.quantize(engineer, model, "int8-dynamic");
        maker.evaluateOn(engineer, passing, dataset, evaluation(-0.03, -0.004));
        assertThat(check(passing, "sliceThresholds.rare-fraud.maxAccuracyDrop").get("passed").asBoolean()).isTrue();
    }

    @Test
    void aThresholdOnASliceNoEvaluatedDatasetNamesFailsClosedAndSaysTheSliceWasNotFound() {
        String dataset = name();
        ok(upload(dataset, List.of("common", "rare-fraud"), true, 2), 201);
        String model = maker.model(engineer, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of(
                "sliceThresholds", Map.of("chargebacks", Map.of("maxAccuracyDrop", 0.01)))), 200);
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.evaluateOn(engineer, variant, dataset, evaluation(0.0, 0.0));
        JsonNode verdict = ok(engineer.get("/api/v1/variants/" + variant + "/verdict"), 200).json();
        assertThat(verdict.get("passed").asBoolean()).isFalse();
        JsonNode missing = check(variant, "sliceThresholds.chargebacks.maxAccuracyDrop");
        assertThat(missing.get("passed").asBoolean()).isFalse();
        assertThat(missing.get("detail").asString()).contains("slice 'chargebacks' was not found",
                dataset + "@1 names [common, rare-fraud]");
    }

    @Test
    void badSliceThresholdsAreRefusedNamingTheFieldAndLeaveThePolicyAsItWas() {
        String model = maker.model(engineer, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of("maxAccuracyDrop", 0.04)), 200);
        Map<String, Object> unknownKey = Map.of("sliceThresholds", Map.of("rare-fraud", Map.of("maxAccuracyDorp", 0.1)));
        Map<String, Object> outOfRange = Map.of("sliceThresholds", Map.of("rare-fraud", Map.of("maxAccuracyDrop", 2)));
        Map<String, Object> notAName = Map.of("sliceThresholds", Map.of("rare fraud!", Map.of("maxAccuracyDrop", 0.1)));
        Map<String, Object> notAnObject = Map.of("sliceThresholds", List.of("rare-fraud"));
        Map<Map<String, Object>, String> fields = Map.of(unknownKey, "sliceThresholds.rare-fraud.maxAccuracyDorp",
                outOfRange, "sliceThresholds.rare-fraud.maxAccuracyDrop", notAName, "sliceThresholds.rare fraud!",
                notAnObject, "sliceThresholds");
        fields.forEach((body, field) -> {
            HttpApi.Reply refused = admin().put("/api/v1/models/" + model + "/policy", body);
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().get("field").asString()).isEqualTo(field);
        });
        JsonNode policy = ok(engineer.get("/api/v1/models/" + model + "/policy"), 200).json();
        assertThat(policy.get("maxAccuracyDrop").asDouble()).isEqualTo(0.04);
        assertThat(policy.get("sliceThresholds").isEmpty()).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from model_policy p join model m on m.id = p.model_id"
                + " where m.name = ? and p.slice_thresholds is not null", Long.class, model)).isZero();
    }

    @Test
    void sliceNamesThatDoNotFitTheSlicesAreRefusedNamingTheFieldAndStoreNoDataset() {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("duplicate", new Object[] {List.of("common", "common"), true, 2, "given twice"});
        cases.put("too few", new Object[] {List.of("common", "rare-fraud"), true, 3, "has 2 names"});
        cases.put("too many", new Object[] {List.of("a", "b", "c"), true, 2, "has 3 names"});
        cases.put("no slices", new Object[] {List.of("common"), false, 1, "upload has none"});
        cases.put("not strings", new Object[] {List.of(1, 2), true, 2, "holds names"});
        cases.forEach((what, c) -> {
            String dataset = name();
            HttpApi.Reply refused = upload(dataset, c[0], (Boolean) c[1], (Integer) c[2]);
            assertThat(refused.status()).as(what + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().get("field").asString()).as(what).isEqualTo("sliceNames");
            assertThat(refused.json().get("detail").asString()).as(what).contains((String) c[3]);
            assertThat(engineer.get("/api/v1/datasets/" + dataset).status()).as(what).isEqualTo(404);
            assertThat(jdbc.queryForObject("select count(*) from dataset where name = ?", Long.class, dataset))
                    .isZero();
        });
    }
}
