package io.qreg.registry.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Archives of valid float32 .npy arrays, generated without holding their inflated bytes: zeros (which
 * deflate about 1000:1, a zip bomb) or random values (which barely deflate at all).
 */
final class ZipBombs {

    private ZipBombs() {
    }

    /** Each entry {@code <name>.npy} holds {@code bytes} bytes of float32 data, all zero or all random. */
    static byte[] zipOfArrays(Map<String, Long> dataBytesByName, boolean random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            Random values = new Random(42);
            byte[] chunk = new byte[64 * 1024];
            for (Map.Entry<String, Long> e : dataBytesByName.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npyHeader(e.getValue() / 4));
                for (long left = e.getValue(); left > 0; left -= chunk.length) {
                    if (random) {
                        values.nextBytes(chunk);
                    }
                    zip.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A NumPy format 1.0 header for a 1-D little-endian float32 array of {@code count} values. */
    static byte[] npyHeader(long count) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + count + ",), }";
        int unpadded = 10 + dict.length() + 1;
        String padded = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] text = padded.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        header.write(text.length & 0xff);
        header.write(text.length >> 8);
        header.writeBytes(text);
        return header.toByteArray();
    }
}
