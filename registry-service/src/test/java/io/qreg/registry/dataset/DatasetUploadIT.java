package io.qreg.registry.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

class DatasetUploadIT extends IntegrationTest {

    private static byte[] npz(Map<String, NpyArray> arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.writeNpz(out, arrays);
        return out.toByteArray();
    }

    private static NpyArray floats(int samples, int features) {
        float[] values = new float[samples * features];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 17;
        }
        return NpyArray.ofFloats(values, samples, features);
    }

    private static NpyArray longs(int samples) {
        long[] values = new long[samples];
        for (int i = 0; i < samples; i++) {
            values[i] = i % 10;
        }
        return NpyArray.ofLongs(values, samples);
    }

    @Test
    void singleNpyFileBecomesADatasetNamedAfterTheInput() {
        byte[] npy = Fixtures.bytes("digits_calib_x.npy");
        String name = unique("digits-calib");
        var reply = admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"), npy, "input.npy");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        var body = reply.json();
        assertThat(body.get("version").asInt()).isEqualTo(1);
        assertThat(body.get("samples").asLong()).isEqualTo(200);
        assertThat(body.get("sha256").asString()).isEqualTo(Fixtures.sha256(npy));
        assertThat(body.get("inputs").get(0).get("name").asString()).isEqualTo("input");
        assertThat(body.get("inputs").get(0).get("dtype").asString()).isEqualTo("float32");
        assertThat(body.get("inputs").get(0).get("shape").get(1).asLong()).isEqualTo(64);
        assertThat(body.get("hasLabels").asBoolean()).isFalse();
    }

    @Test
    void npzWithLabelsAndSlicesRecordsInputsSeparately() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("input", floats(30, 4));
        arrays.put("labels", longs(30));
        arrays.put("slices", longs(30));
        var reply = admin().upload("/api/v1/datasets", Map.of("name", unique("eval"), "purpose", "evaluation"),
                npz(arrays), "eval.npz");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("format").asString()).isEqualTo("npz");
        assertThat(reply.json().get("inputs")).hasSize(1);
        assertThat(reply.json().get("hasLabels").asBoolean()).isTrue();
        assertThat(reply.json().get("hasSlices").asBoolean()).isTrue();
        assertThat(reply.json().get("samples").asLong()).isEqualTo(30);
    }

    @Test
    void zipOfNpyFilesIsAccepted() throws IOException {
        byte[] zip = Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                "labels.npy", Fixtures.bytes("digits_eval_y.npy")));
        var reply = admin().upload("/api/v1/datasets", Map.of("name", unique("digits-eval"), "purpose", "evaluation"),
                zip, "digits.zip");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("format").asString()).isEqualTo("zip");
        assertThat(reply.json().get("samples").asLong()).isEqualTo(500);
    }

    @Test
    void mismatchedSampleCountsAreRejectedAndLeaveNothing() throws IOException {
        long rows = jdbc.queryForObject("select count(*) from dataset", Long.class);
        var files = storedBlobs();
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("input", floats(30, 4));
        arrays.put("labels", longs(29));
        var reply = admin().upload("/api/v1/datasets", Map.of("name", unique("bad"), "purpose", "evaluation"),
                npz(arrays), "bad.npz");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("detail").asString()).contains("sample counts differ").contains("30")
                .contains("29");
        assertThat(jdbc.queryForObject("select count(*) from dataset", Long.class)).isEqualTo(rows);
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void nonNumpyFileAndUnknownPurposeAreRejected() {
        var text = admin().upload("/api/v1/datasets", Map.of("name", unique("text"), "purpose", "evaluation"),
                "a,b,c\n1,2,3\n".getBytes(), "data.csv");
        assertThat(text.status()).isEqualTo(422);
        assertThat(text.json().get("detail").asString()).contains("not a usable NumPy dataset");

        var purpose = admin().upload("/api/v1/datasets", Map.of("name", unique("p"), "purpose", "training"),
                Fixtures.bytes("digits_eval_y.npy"), "labels.npy");
        assertThat(purpose.status()).isEqualTo(400);
        assertThat(purpose.json().get("field").asString()).isEqualTo("purpose");
    }

    @Test
    void newContentIsTheNextVersionAndSameContentReturnsTheExistingOne() {
        String name = unique("versions");
        var v1 = admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy");
        var again = admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy");
        var v2 = admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"),
                Fixtures.bytes("digits_eval_x.npy"), "input.npy");

        assertThat(v1.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("version").asInt()).isEqualTo(1);
        assertThat(v2.status()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(admin().get("/api/v1/datasets/" + name).json()).hasSize(2);
        assertThat(admin().get("/api/v1/datasets/" + name + "/versions/2").json().get("samples").asLong())
                .isEqualTo(500);
    }

    @Test
    void downloadReturnsTheStoredBytesWithTheirDigestAsEtag() throws Exception {
        byte[] npy = Fixtures.bytes("digits_calib_x.npy");
        String name = unique("download");
        var created = admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"), npy,
                "input.npy");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        var path = "/api/v1/datasets/" + name + "/versions/1/content";
        var full = admin().client().send(admin().request(path).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(full.body()).isEqualTo(npy);
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + Fixtures.sha256(npy) + "\"");
        var again = admin().send(admin().request(path).header("If-None-Match", etag).GET());
        assertThat(again.status()).isEqualTo(304);
    }
}
