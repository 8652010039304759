package io.qreg.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-encodes protobuf wire format, so tests can build exactly the (broken) models they need. */
final class ProtoBytes {

    private ProtoBytes() {
    }

    static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    static byte[] tag(int field, int wireType) {
        return varint(((long) field << 3) | wireType);
    }

    static byte[] varintField(int field, long value) {
        return concat(tag(field, 0), varint(value));
    }

    static byte[] bytesField(int field, byte[] payload) {
        return concat(lengthHeader(field, payload.length), payload);
    }

    static byte[] stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Tag and length prefix of a length-delimited field whose payload the caller supplies separately. */
    static byte[] lengthHeader(int field, long length) {
        return concat(tag(field, 2), varint(length));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // ONNX messages, reduced to the fields the header reader looks at.

    static byte[] opsetImport(String domain, long version) {
        return bytesField(8, concat(stringField(1, domain), varintField(2, version)));
    }

    /** A tensor ValueInfoProto; dims are Long sizes, String params, or null for an unknown dimension. */
    static byte[] tensorValueInfo(String name, int elemType, Object... dims) {
        byte[] shape = new byte[0];
        for (Object dim : dims) {
            byte[] d = dim instanceof Long size ? varintField(1, size)
                    : dim instanceof String param ? stringField(2, param)
                    : new byte[0];
            shape = concat(shape, bytesField(1, d));
        }
        byte[] tensorType = concat(varintField(1, elemType), bytesField(2, shape));
        return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
    }

    static byte[] initializer(String name, byte[] rawData) {
        return bytesField(5, concat(varintField(1, 4), varintField(2, 1), stringField(8, name), bytesField(9, rawData)));
    }

    static byte[] model(byte[] graph) {
        return concat(varintField(1, 8), stringField(2, "test"), bytesField(7, graph), opsetImport("", 17));
    }
}
