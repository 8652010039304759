package io.qreg.engine.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.StringStringEntryProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a model to disk, moving large initializers to {@code <file name>.data} when the model would
 * otherwise approach the 2 GiB limit of one protobuf message.
 *
 * <p>Each file is written to a temporary file in the target directory, flushed to disk and renamed
 * into place, so a reader never sees a partial file and a failure leaves nothing behind. The data file
 * is renamed first because the model refers to it; the pair is not replaced as one unit.
 *
 * <p>Memory: tensors are streamed one at a time from their {@code raw_data} (heap or mapped) to the
 * file, so saving needs buffers and at most a transient copy of one tensor, never a copy of the model.
 */
final class ModelWriter {

    /** Offsets in the data file are multiples of this, so ONNX Runtime can map tensors directly. */
    static final int ALIGNMENT = 4096;
    /** Protobuf refuses messages of 2 GiB and more; keep a margin for the rest of the model. */
    private static final long MAX_INLINE_MODEL_BYTES = Integer.MAX_VALUE - (64L << 20);
    private static final int BUFFER_BYTES = 1 << 20;

    private ModelWriter() {
    }

    static void write(ModelProto model, Path out, SaveOptions options) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path directory = target.getParent();
        String dataName = target.getFileName() + ".data";
        GraphProto graph = model.getGraph();
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new OnnxModelException("cannot save to " + target + ": initializer '" + t.getName()
                        + "' still points at external data; create models with OnnxModel.load, which reads it");
            }
        }
        long initializerBytes = 0;
        for (TensorProto t : graph.getInitializerList()) {
            initializerBytes += t.getSerializedSize();
        }
        boolean external = initializerBytes > options.externalDataThreshold();

        Path dataTemp = null;
        Path modelTemp = null;
        boolean dataMoved = false;
        try {
            ModelProto toWrite = model;
            if (external) {
                dataTemp = temp(directory, dataName);
                toWrite = model.toBuilder().setGraph(writeData(graph, dataTemp, dataName, options)).build();
            }
            long inlineBytes = inlineSize(toWrite);
            if (inlineBytes > MAX_INLINE_MODEL_BYTES) {
                throw new OnnxModelException("cannot save to " + target + ": the model would be " + inlineBytes
                        + " bytes without its external data, over the 2 GiB protobuf limit; "
                        + "lower the external data threshold");
            }
            modelTemp = temp(directory, target.getFileName().toString());
            try (FileChannel channel = FileChannel.open(modelTemp, StandardOpenOption.WRITE)) {
                OutputStream stream = Channels.newOutputStream(channel);
                CodedOutputStream coded = CodedOutputStream.newInstance(stream, BUFFER_BYTES);
                toWrite.writeTo(coded);
                coded.flush();
                channel.force(true);
            }
            if (dataTemp != null) {
                move(dataTemp, directory.resolve(dataName));
                dataTemp = null;
                dataMoved = true;
            }
            move(modelTemp, target);
            modelTemp = null;
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(dataTemp, e);
            deleteQuietly(modelTemp, e);
            if (dataMoved) {
                deleteQuietly(directory.resolve(dataName), e); // its model never arrived
            }
            throw e;
        }
    }

    private static GraphProto writeData(GraphProto graph, Path dataTemp, String dataName, SaveOptions options)
            throws IOException {
        GraphProto.Builder b = graph.toBuilder();
        try (FileChannel channel = FileChannel.open(dataTemp, StandardOpenOption.WRITE);
                OutputStream stream = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES)) {
            long position = 0;
            for (int i = 0; i < b.getInitializerCount(); i++) {
                TensorProto t = b.getInitializer(i);
                ByteString raw = t.getRawData();
                if (!t.hasRawData() || raw.size() < options.minExternalTensorBytes() || raw.isEmpty()) {
                    continue; // typed-field tensors are small constants in practice; they stay inline
                }
                long padding = (ALIGNMENT - position % ALIGNMENT) % ALIGNMENT;
                for (long p = 0; p < padding; p++) {
                    stream.write(0);
                }
                position += padding;
                raw.writeTo(stream);
                b.setInitializer(i, t.toBuilder()
                        .clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .clearExternalData()
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString(position)))
                        .addExternalData(entry("length", Integer.toString(raw.size())))
                        .build());
                position += raw.size();
            }
            stream.flush();
            channel.force(true);
        }
        return b.build();
    }

    /** The serialized size, summed in long because getSerializedSize() overflows past 2 GiB. */
    private static long inlineSize(ModelProto model) {
        long size = model.toBuilder().clearGraph().build().getSerializedSize();
        GraphProto graph = model.getGraph();
        size += graph.toBuilder().clearInitializer().build().getSerializedSize() + 16L;
        for (TensorProto t : graph.getInitializerList()) {
            size += t.getSerializedSize() + 16L; // tag and length prefix
        }
        return size;
    }

    private static Path temp(Path directory, String name) throws IOException {
        try {
            return Files.createTempFile(directory, "." + name + ".", ".tmp");
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(directory.toString(), null,
                    "cannot save " + name + ": the directory does not exist");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING); // same directory: should not happen
        }
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void deleteQuietly(Path file, Throwable failure) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
