package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartReaderTest {

    private static final String BOUNDARY = "----qreg-boundary";

    private static byte[] body(byte[] file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("preamble to ignore\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"version\":\"1\"}\r\n--" + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(file);
        out.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** Delivers at most a few bytes per read, so boundaries straddle every buffer edge. */
    private static InputStream trickle(byte[] bytes, int chunk) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 4096, 1 << 20})
    void partsArriveIntactWhateverTheReadSizes(int chunk) throws IOException {
        byte[] file = new byte[200_000];
        new Random(1).nextBytes(file);
        // Bytes that look like the start of a delimiter must pass through untouched.
        byte[] decoy = ("\r\n--" + BOUNDARY.substring(0, 10)).getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(decoy, 0, file, 65_530, decoy.length);

        MultipartReader reader = new MultipartReader(trickle(body(file), chunk), BOUNDARY);
        var metadata = reader.next();
        assertThat(metadata.name()).isEqualTo("metadata");
        assertThat(new String(metadata.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"version\":\"1\"}");
        var part = reader.next();
        assertThat(part.name()).isEqualTo("file");
        assertThat(part.filename()).isEqualTo("m.onnx");
        assertThat(part.content().readAllBytes()).isEqualTo(file);
        assertThat(reader.next()).isNull();
    }

    @Test
    void unreadPartIsSkippedWhenTheNextIsRequested() throws IOException {
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body(new byte[1000])), BOUNDARY);
        reader.next();
        var file = reader.next();
        assertThat(file.name()).isEqualTo("file");
        assertThat(reader.next()).isNull();
    }

    @Test
    void bodyCutBeforeTheClosingBoundaryIsReportedAsTruncated() throws IOException {
        byte[] whole = body(new byte[50_000]);
        byte[] cut = Arrays.copyOf(whole, whole.length - 30_000);
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(cut), BOUNDARY);
        reader.next();
        var file = reader.next();
        assertThatThrownBy(() -> file.content().readAllBytes()).isInstanceOf(MultipartException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void boundaryIsTakenFromTheContentType() {
        assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=\"abc def\"")).isEqualTo("abc def");
        assertThat(MultipartReader.boundaryOf("multipart/form-data; charset=utf-8; boundary=xyz")).isEqualTo("xyz");
        assertThat(MultipartReader.boundaryOf("application/json")).isNull();
    }
}
