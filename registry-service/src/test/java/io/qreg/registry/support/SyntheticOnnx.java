package io.qreg.registry.support;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a valid ONNX ModelProto of any size by hand (protobuf wire format): one uint8 initializer
 * of the requested size, streamed to disk, so tests can upload a gigabyte without holding it. The
 * payload is pseudo-random (incompressible) and no two 1 MiB blocks are equal, so no layer can
 * deduplicate it. JDK only, so the benchmark runs it as a source file (see {@link #main}).
 */
public final class SyntheticOnnx {

    private SyntheticOnnx() {
    }

    /**
     * For bench/registry-throughput.sh, which needs no test classpath:
     * {@code java registry-service/src/test/java/io/qreg/registry/support/SyntheticOnnx.java FILE INITIALIZER_BYTES [SEED]}
     * writes the model (with input {@code x} and output {@code y}) and prints its size in bytes.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java SyntheticOnnx.java FILE INITIALIZER_BYTES [SEED]");
            System.exit(2);
        }
        Path file = write(Path.of(args[0]), Long.parseLong(args[1]), args.length > 2 ? Long.parseLong(args[2]) : 42L);
        System.out.println(Files.size(file));
    }

    public static Path write(Path file, long initializerBytes, long seed) throws IOException {
        return write(file, initializerBytes, seed, true, true);
    }

    /** As above, optionally without graph inputs or outputs (a graph that computes nothing anyone can ask for). */
    public static Path write(Path file, long initializerBytes, long seed, boolean withInput, boolean withOutput)
            throws IOException {
        byte[] input = withInput ? valueInfo("x", 1, "batch", 4) : new byte[0];
        byte[] output = withOutput ? valueInfo("y", 1, "batch", 4) : new byte[0];
        ByteArrayOutputStream tensorHead = new ByteArrayOutputStream();
        tag(tensorHead, 1, 0);
        varint(tensorHead, initializerBytes);
        tag(tensorHead, 2, 0);
        varint(tensorHead, 2); // uint8
        string(tensorHead, 8, "w");
        tag(tensorHead, 9, 2);
        varint(tensorHead, initializerBytes);
        long tensorLength = tensorHead.size() + initializerBytes;

        ByteArrayOutputStream graphHead = new ByteArrayOutputStream();
        string(graphHead, 2, "synthetic");
        if (withInput) {
            graphHead.write(field(11, input));
        }
        if (withOutput) {
            graphHead.write(field(12, output));
        }
        tag(graphHead, 5, 2);
        varint(graphHead, tensorLength);
        long graphLength = graphHead.size() + tensorLength;

        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        string(opset, 1, "");
        tag(opset, 2, 0);
        varint(opset, 17);

        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            tag(model, 1, 0);
            varint(model, 8);
            string(model, 2, "qreg-synthetic");
            model.write(field(8, opset.toByteArray()));
            tag(model, 7, 2);
            varint(model, graphLength);
            model.writeTo(out);
            graphHead.writeTo(out);
            tensorHead.writeTo(out);
            byte[] block = new byte[1 << 20];
            new Random(seed).nextBytes(block);
            long remaining = initializerBytes;
            while (remaining > 0) {
                int n = (int) Math.min(block.length, remaining);
                out.write(block, 0, n);
                block[(int) (remaining % block.length)] ^= 0x5a; // no two blocks alike
                remaining -= n;
            }
        }
        return file;
    }

    private static byte[] valueInfo(String name, int elemType, String symbolicDim, long fixedDim) throws IOException {
        ByteArrayOutputStream dim1 = new ByteArrayOutputStream();
        string(dim1, 2, symbolicDim);
        ByteArrayOutputStream dim2 = new ByteArrayOutputStream();
        tag(dim2, 1, 0);
        varint(dim2, fixedDim);
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        shape.write(field(1, dim1.toByteArray()));
        shape.write(field(1, dim2.toByteArray()));
        ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
        tag(tensorType, 1, 0);
        varint(tensorType, elemType);
        tensorType.write(field(2, shape.toByteArray()));
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        type.write(field(1, tensorType.toByteArray()));
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        string(info, 1, name);
        info.write(field(2, type.toByteArray()));
        return info.toByteArray();
    }

    private static byte[] field(int number, byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tag(out, number, 2);
        varint(out, payload.length);
        out.write(payload);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, int number, String value) throws IOException {
        out.write(field(number, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static void tag(ByteArrayOutputStream out, int number, int wireType) {
        varint(out, ((long) number << 3) | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
