package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that reads in bulk: its single-byte {@code read()} goes through the bulk read, so a subclass defines
 * only that one (the multipart part, a file slice sent to S3, an S3 object read back).
 */
abstract class BulkInputStream extends InputStream {

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;
}
