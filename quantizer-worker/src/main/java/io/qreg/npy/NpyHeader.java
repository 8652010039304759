package io.qreg.npy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code .npy} header: magic {@code \x93NUMPY}, a version, a little-endian header length and a
 * Python dict literal, padded so the data starts aligned. Reading it leaves a stream at the first data
 * byte; encoding it produces exactly what {@code numpy.save} writes.
 */
public final class NpyHeader {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /**
     * numpy refuses headers over 10 000 characters by default (max_header_size); this is more lenient
     * but still bounds what an upload can make us allocate.
     */
    private static final int MAX_HEADER_CHARS = 64 * 1024;
    /** numpy 1.x+ pads so data starts on a 64-byte boundary, which suits memory mapping and SIMD. */
    private static final int ALIGNMENT = 64;

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private NpyHeader() {
    }

    /**
     * Reads and validates a header, consuming exactly its bytes. The result has no name.
     *
     * @throws NpyFormatException if the bytes are not a supported {@code .npy} header
     */
    public static NpyArrayInfo read(InputStream in) throws IOException {
        RawHeader raw = readRaw(in);
        Map<String, Object> dict = raw.dict();
        NpyDType dtype = dtype(dict.get("descr"));
        long[] shape = shape(dict.get("shape"));
        long dataBytes = dtype.itemSize();
        for (long dim : shape) {
            try {
                dataBytes = Math.multiplyExact(dataBytes, dim);
            } catch (ArithmeticException e) {
                throw new NpyFormatException("array shape " + tuple(shape) + " is too large");
            }
        }
        return new NpyArrayInfo(null, dtype, shape, raw.headerBytes(), dataBytes);
    }

    /** A header's dict (keys checked, C order checked, descr not yet interpreted) and its length in bytes. */
    record RawHeader(Map<String, Object> dict, long headerBytes) {

        long[] shape() throws NpyFormatException {
            return NpyHeader.shape(dict.get("shape"));
        }
    }

    /** Reads a header up to its dict, leaving the dtype to the caller ({@link NpyStrings} reads string arrays). */
    static RawHeader readRaw(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < MAGIC.length || !startsWithMagic(prefix)) {
            throw new NpyFormatException("not a NumPy .npy file: it does not start with the \\x93NUMPY magic");
        }
        if (prefix.length < 8) {
            throw new NpyFormatException("truncated .npy header: the file ends inside the version");
        }
        int major = prefix[6] & 0xFF;
        int minor = prefix[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new NpyFormatException("unsupported .npy format version " + major + "." + minor
                    + "; supported: 1.0, 2.0, 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new NpyFormatException("truncated .npy header: the file ends inside the header length");
        }
        long headerLength = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLength = (headerLength << 8) | (lengthField[i] & 0xFF);
        }
        if (headerLength > MAX_HEADER_CHARS) {
            throw new NpyFormatException(".npy header is " + headerLength + " bytes long, more than the "
                    + MAX_HEADER_CHARS + " allowed");
        }
        byte[] headerText = in.readNBytes((int) headerLength);
        if (headerText.length < headerLength) {
            throw new NpyFormatException("truncated .npy header: expected " + headerLength + " header bytes, found "
                    + headerText.length);
        }
        // Versions 1 and 2 store the dict as latin-1; version 3 exists only to allow UTF-8 (in field names).
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        Map<String, Object> dict = PyLiteralParser.parseDict(new String(headerText, charset));
        if (!dict.keySet().equals(KEYS)) {
            throw new NpyFormatException("malformed .npy header: expected exactly the keys descr, fortran_order"
                    + " and shape, found " + dict.keySet());
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw new NpyFormatException("malformed .npy header: fortran_order must be True or False, found "
                    + dict.get("fortran_order"));
        }
        if (fortranOrder) {
            throw new NpyFormatException("array is stored in Fortran (column-major) order; it must be C order"
                    + " (fortran_order False): save np.ascontiguousarray(a) instead");
        }
        return new RawHeader(dict, 8L + lengthBytes + headerLength);
    }

    /**
     * The complete header numpy would write for this array: version 1.0 unless the dict needs more
     * than 65535 bytes (then 2.0), space-padded and newline-terminated to a 64-byte boundary.
     */
    public static byte[] encode(NpyDType dtype, long[] shape) {
        String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': " + tuple(shape) + ", }";
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int headerLength = paddedLength(prefix, dict);
        if (headerLength > 0xFFFF) {
            // Version 2.0 differs only in a 4-byte header length, for dicts a 2-byte one cannot describe.
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            headerLength = paddedLength(prefix, dict);
        }
        byte[] out = new byte[prefix + headerLength];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) major;
        out[7] = 0;
        for (int i = 0; i < prefix - 8; i++) {
            out[8 + i] = (byte) (headerLength >>> (8 * i));
        }
        String padded = dict + " ".repeat(headerLength - dict.length() - 1) + "\n";
        byte[] text = padded.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, out, prefix, text.length);
        return out;
    }

    /** Header text length (dict, spaces, newline) that makes prefix + header a multiple of the alignment. */
    private static int paddedLength(int prefix, String dict) {
        int unpadded = prefix + dict.length() + 1;
        return dict.length() + 1 + (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
    }

    static boolean startsWithMagic(byte[] bytes) {
        if (bytes.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Python tuple notation: {@code ()}, {@code (5,)}, {@code (5, 3)}. */
    static String tuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static NpyDType dtype(Object descr) throws NpyFormatException {
        if (descr instanceof String s) {
            return NpyDType.fromDescr(s);
        }
        // A list descr is numpy's encoding of a structured (record) dtype.
        throw new NpyFormatException("structured (record) dtypes are not supported; save a plain numeric array"
                + " of one of: " + NpyDType.supportedList());
    }

    private static long[] shape(Object value) throws NpyFormatException {
        if (!(value instanceof List<?> dims)) {
            throw new NpyFormatException("malformed .npy header: shape must be a tuple of integers, found " + value);
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof BigInteger dim) || dim.signum() < 0 || dim.bitLength() > 62) {
                throw new NpyFormatException("malformed .npy header: shape must be a tuple of non-negative"
                        + " integers, found " + dims);
            }
            shape[i] = dim.longValue();
        }
        return shape;
    }
}
