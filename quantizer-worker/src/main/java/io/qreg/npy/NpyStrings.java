package io.qreg.npy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 1-D array of strings as {@code numpy.save(np.array(["common", "rare-fraud"]))} writes it: dtype {@code <Un}, each
 * item n UTF-32LE code points padded with NULs. Such arrays describe a dataset (its {@code slice_names}); they are
 * not tensors, so {@link TensorArchive} reads them only through {@link TensorArchive#strings}.
 */
public final class NpyStrings {

    private static final Pattern UNICODE = Pattern.compile("[<|]U(\\d{1,4})");
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");
    /** A description of a dataset, not data: a few thousand names at most. */
    private static final long MAX_BYTES = 1 << 20;

    private NpyStrings() {
    }

    /** Reads the array from a stream that ends where it does; refuses other dtypes, shapes and trailing bytes. */
    public static List<String> read(InputStream in) throws IOException {
        NpyHeader.RawHeader header = NpyHeader.readRaw(in);
        Object descr = header.dict().get("descr");
        Matcher unicode = descr instanceof String s ? UNICODE.matcher(s) : null;
        if (unicode == null || !unicode.matches()) {
            throw new NpyFormatException("expected an array of strings (numpy dtype '<U', e.g. np.array([\"common\","
                    + " \"rare-fraud\"])), got dtype " + descr);
        }
        long[] shape = header.shape();
        if (shape.length != 1) {
            throw new NpyFormatException("expected a 1-D array of strings, got shape " + NpyHeader.tuple(shape));
        }
        int width = Integer.parseInt(unicode.group(1));
        long bytes = shape[0] * width * 4L;
        if (bytes > MAX_BYTES) {
            throw new NpyFormatException("the array of strings is " + bytes + " bytes, more than the " + MAX_BYTES
                    + " allowed");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes || in.read() != -1) {
            throw new NpyFormatException("the array of strings has " + (data.length < bytes ? "fewer" : "more")
                    + " data bytes than its header declares (" + bytes + ")");
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < shape[0]; i++) {
            String item = new String(data, i * width * 4, width * 4, UTF_32LE);
            int end = item.length();
            while (end > 0 && item.charAt(end - 1) == '\0') {
                end--;
            }
            strings.add(item.substring(0, end));
        }
        return strings;
    }
}
