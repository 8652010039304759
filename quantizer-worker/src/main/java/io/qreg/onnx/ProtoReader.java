package io.qreg.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only reader of the protobuf wire format over an {@link InputStream}.
 *
 * <p>It keeps one fixed buffer and a stack of open length-delimited fields, so memory does not depend
 * on the size of the model: fields the caller is not interested in are skipped by reading through
 * the buffer, never by allocating them. Each open field remembers its name and declared length so
 * that errors can say exactly where a file is malformed or cut short.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    /** Longest string this reader will allocate; ONNX names, versions and domains are far shorter. */
    static final int MAX_STRING_BYTES = 64 * 1024;

    private static final int MAX_VARINT_BYTES = 10;
    /** The ONNX messages we descend into nest at most 8 deep (model/graph/input/type/tensor/shape/dim/param). */
    private static final int MAX_DEPTH = 16;

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int bufferPos;
    private int bufferLen;
    /** File offset of {@code buffer[0]}. */
    private long bufferStart;

    private final String[] frameNames = new String[MAX_DEPTH];
    private final long[] frameStarts = new long[MAX_DEPTH];
    private final long[] frameEnds = new long[MAX_DEPTH];
    private int depth;

    ProtoReader(InputStream in) {
        this.in = in;
    }

    /** Bytes consumed so far, which is also the offset of the next byte. */
    long position() {
        return bufferStart + bufferPos;
    }

    /**
     * True when the innermost open field has been fully read, or, at the top level, when the stream
     * has ended exactly on a field boundary (the only place a protobuf message may end).
     */
    boolean atEnd() throws IOException {
        if (depth > 0) {
            return position() == frameEnds[depth - 1];
        }
        return bufferPos == bufferLen && !fill();
    }

    /** A field's number and how its value is encoded, as one tag gives them. */
    record Tag(int field, int wireType) {
    }

    /** Reads a field tag and rejects what cannot occur in an ONNX file: field 0, groups, wire types 6 and 7. */
    Tag readTag() throws IOException {
        long at = position();
        long tag = readVarint();
        int wireType = (int) (tag & 7);
        long field = tag >>> 3;
        if (wireType == 6 || wireType == 7) {
            throw notOnnx("invalid protobuf wire type " + wireType + " at byte " + at);
        }
        if (wireType == START_GROUP || wireType == END_GROUP) {
            throw notOnnx("protobuf groups (wire type " + wireType + ") are not used by ONNX, found at byte " + at);
        }
        if (field == 0 || field > 0x1FFF_FFFFL) {
            throw notOnnx("invalid protobuf field number " + field + " at byte " + at);
        }
        return new Tag((int) field, wireType);
    }

    long readVarint() throws IOException {
        long at = position();
        long result = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            int b = readByte();
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw notOnnx("varint longer than " + MAX_VARINT_BYTES + " bytes at byte " + at);
    }

    /** Reads the length prefix of a length-delimited field and checks it is a sane, non-negative size. */
    long readLength(String name) throws IOException {
        long at = position();
        long length = readVarint();
        if (length < 0) {
            throw notOnnx("field " + path(name) + " has a negative length at byte " + at);
        }
        return length;
    }

    /**
     * Opens a length-delimited field of {@code length} bytes that starts at the current position.
     * A nested field must fit inside its parent; at the top level only the end of the file bounds it,
     * which is checked as the bytes are read.
     */
    void enter(String name, long length) throws OnnxFormatException {
        if (depth == MAX_DEPTH) {
            throw notOnnx("fields nested deeper than " + MAX_DEPTH + " levels at byte " + position());
        }
        long start = position();
        if (depth > 0) {
            long parentLeft = frameEnds[depth - 1] - start;
            if (length > parentLeft) {
                throw notOnnx("field " + path(name) + " declares " + length + " bytes at byte " + start
                        + " but its enclosing field " + path(null) + " has only " + parentLeft + " left");
            }
        }
        frameNames[depth] = name;
        frameStarts[depth] = start;
        frameEnds[depth] = start + length;
        depth++;
    }

    /** One embedded message: checks its wire type, reads within its bounds with {@code parser}, leaves it. */
    <T> T message(Tag tag, String name, MessageParser<T> parser) throws IOException {
        expectWireType(tag.wireType(), LENGTH_DELIMITED, name);
        enter(name, readLength(name));
        T value = parser.parse();
        exit();
        return value;
    }

    /** Parses the message the reader has just entered. */
    @FunctionalInterface
    interface MessageParser<T> {
        T parse() throws IOException;
    }

    /** Closes the innermost field; the caller must have read it to its end. */
    void exit() {
        if (depth == 0 || position() != frameEnds[depth - 1]) {
            throw new IllegalStateException("exit() before the end of field " + path(null));
        }
        depth--;
    }

    /** Skips the value of a field the caller does not know, named by its number (e.g. {@code #6}) in errors. */
    void skipValue(Tag tag) throws IOException {
        skipValue(tag, "#" + tag.field());
    }

    /** Skips the value of a field the caller does not care about, streaming over it. */
    void skipValue(Tag tag, String name) throws IOException {
        int wireType = tag.wireType();
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> skipFixed(8, name);
            case FIXED32 -> skipFixed(4, name);
            case LENGTH_DELIMITED -> {
                long length = readLength(name);
                enter(name, length);
                skipBytes(length);
                exit();
            }
            default -> throw new IllegalStateException("wire type " + wireType + " was rejected by readTag");
        }
    }

    /** A string field's value; any wire type but length-delimited is refused. */
    String stringField(Tag tag, String name) throws IOException {
        expectWireType(tag.wireType(), LENGTH_DELIMITED, name);
        return readString(name);
    }

    /** A varint field's value; any other wire type is refused. */
    long varintField(Tag tag, String name) throws IOException {
        expectWireType(tag.wireType(), VARINT, name);
        return readVarint();
    }

    /** Reads a length-delimited UTF-8 string, refusing anything longer than {@link #MAX_STRING_BYTES}. */
    private String readString(String name) throws IOException {
        long at = position();
        long length = readLength(name);
        if (length > MAX_STRING_BYTES) {
            throw notOnnx("field " + path(name) + " at byte " + at + " is a string of " + length
                    + " bytes, more than the " + MAX_STRING_BYTES + " allowed for a name");
        }
        enter(name, length);
        byte[] bytes = new byte[(int) length];
        int filled = 0;
        while (filled < bytes.length) {
            if (bufferPos == bufferLen && !fill()) {
                throw truncated();
            }
            int n = Math.min(bytes.length - filled, bufferLen - bufferPos);
            System.arraycopy(buffer, bufferPos, bytes, filled, n);
            bufferPos += n;
            filled += n;
        }
        exit();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Rejects a known field encoded with the wrong wire type; such a file was not written by an ONNX serializer. */
    void expectWireType(int actual, int expected, String name) throws OnnxFormatException {
        if (actual != expected) {
            throw notOnnx("field " + path(name) + " has wire type " + wireTypeName(actual) + ", expected "
                    + wireTypeName(expected) + ", before byte " + position());
        }
    }

    /** Dotted path of the open fields plus {@code leaf}, e.g. {@code graph.initializer.raw_data}. */
    String path(String leaf) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(frameNames[i]);
        }
        if (leaf != null) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(leaf);
        }
        return sb.length() == 0 ? "model" : sb.toString();
    }

    OnnxFormatException notOnnx(String detail) {
        return new OnnxFormatException("not an ONNX model: " + detail);
    }

    private void skipFixed(int size, String name) throws IOException {
        if (depth > 0 && position() + size > frameEnds[depth - 1]) {
            throw overrun();
        }
        skipBytes(size);
    }

    /**
     * Reads through {@code count} bytes. InputStream.skip is deliberately not used: FileInputStream
     * happily skips past the end of a file, which would hide exactly the truncation this must report.
     */
    private void skipBytes(long count) throws IOException {
        long left = count;
        while (left > 0) {
            if (bufferPos == bufferLen && !fill()) {
                throw truncated();
            }
            int n = (int) Math.min(left, bufferLen - bufferPos);
            bufferPos += n;
            left -= n;
        }
    }

    private int readByte() throws IOException {
        if (depth > 0 && position() >= frameEnds[depth - 1]) {
            throw overrun();
        }
        if (bufferPos == bufferLen && !fill()) {
            throw truncated();
        }
        return buffer[bufferPos++] & 0xFF;
    }

    /** Refills the buffer; false at end of stream. */
    private boolean fill() throws IOException {
        bufferStart += bufferLen;
        bufferPos = 0;
        bufferLen = 0;
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        bufferLen = n;
        return true;
    }

    private OnnxFormatException overrun() {
        return notOnnx("a value at byte " + position() + " runs past the end of field " + path(null));
    }

    private OnnxFormatException truncated() {
        long size = position();
        if (depth == 0) {
            return new OnnxFormatException("truncated ONNX model: the file ends inside a value after " + size
                    + " bytes");
        }
        // The innermost open field is the one the file was cut in; its declared length shows how much is missing.
        int i = depth - 1;
        long declared = frameEnds[i] - frameStarts[i];
        return new OnnxFormatException("truncated ONNX model: field " + path(null) + " declares " + declared
                + " bytes at byte " + frameStarts[i] + " but the file ends after " + size + " bytes");
    }

    private static String wireTypeName(int wireType) {
        return switch (wireType) {
            case VARINT -> "0 (varint)";
            case FIXED64 -> "1 (fixed64)";
            case LENGTH_DELIMITED -> "2 (length-delimited)";
            case FIXED32 -> "5 (fixed32)";
            default -> String.valueOf(wireType);
        };
    }
}
