package io.qreg.npy;

import java.io.IOException;
import java.io.InputStream;

/** Checks that the bytes after a header are exactly what its shape and dtype require. */
final class NpyPayload {

    private static final int CHUNK = 64 * 1024;

    private NpyPayload() {
    }

    /**
     * Fails unless {@code actual} equals the declared data size. Callers that stop counting early pass
     * {@code dataBytes + 1} to mean "more than declared".
     */
    static void verifyLength(NpyArrayInfo info, long actual) throws NpyFormatException {
        long expected = info.dataBytes();
        String declared = "shape " + info.shapeString() + " of " + info.dtype().typeName() + " needs " + expected
                + " bytes of data";
        if (actual < expected) {
            throw new NpyFormatException("truncated: " + declared + " but only " + actual + " follow the header");
        }
        if (actual > expected) {
            throw new NpyFormatException(declared + " but more follow the header; the file is not a single"
                    + " .npy array");
        }
    }

    /**
     * Reads and discards up to {@code limit} bytes, returning how many there were. The limit keeps a
     * hostile archive entry (a zip bomb) from being inflated beyond what its header declares.
     */
    static long countUpTo(InputStream in, long limit) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, limit))];
        long count = 0;
        while (count < limit) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, limit - count));
            if (n < 0) {
                break;
            }
            count += n;
        }
        return count;
    }
}
