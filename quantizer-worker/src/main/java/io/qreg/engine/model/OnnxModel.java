package io.qreg.engine.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.qreg.onnx.ir.FunctionProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An ONNX model held for editing: the model-level fields plus a {@link ModelGraph} over its main graph.
 *
 * <p><b>Size and memory.</b> The {@code .onnx} file itself is one protobuf message and so must be under
 * 2 GiB; larger models keep their weights in external data files, which {@link #load} resolves and
 * {@link #save} writes once the initializers pass {@link SaveOptions#externalDataThreshold()}. That
 * external-data path is what lets a model with more than 2 GiB of weights load and save. The model
 * file is memory-mapped and parsed with aliasing, and large external tensors are mapped too, so tensor
 * bytes live in the OS page cache, not on the Java heap: the heap holds the graph structure, small
 * tensors, and whatever new tensors passes create. Because loaded tensors reference the files, do not
 * modify a model's files in place while the model is in use; {@link #save} never does (it replaces
 * files by renaming, which leaves a loaded model's mappings intact on POSIX systems).
 *
 * <p>Not thread-safe: one pass edits a model at a time.
 */
public final class OnnxModel {

    private static final String DEFAULT_DOMAIN = "";

    private final ModelProto.Builder header;
    private final ModelGraph graph;
    private final Set<Path> externalDataFiles;

    private OnnxModel(ModelProto proto, Set<Path> externalDataFiles) {
        this.header = proto.toBuilder().clearGraph();
        this.graph = new ModelGraph(proto.getGraph());
        this.externalDataFiles = externalDataFiles;
    }

    /**
     * Reads a model and the external data its tensors refer to (relative to the file's directory).
     *
     * @throws OnnxModelException if the file is not an ONNX model, is truncated, is 2 GiB or larger, or
     *     its external data is missing, out of range or outside the model's directory
     * @throws IOException if the file cannot be read
     */
    public static OnnxModel load(Path file) throws IOException {
        ModelProto proto;
        Set<Path> dataFiles;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new OnnxModelException(file + " is " + size + " bytes; an .onnx file must be under 2 GiB"
                        + " (larger models keep their weights in external data files)");
            }
            // Parsing a read-only mapping wrapped as a ByteString lets protobuf alias raw_data to the
            // mapping instead of copying every weight onto the heap.
            CodedInputStream in = UnsafeByteOperations
                    .unsafeWrap(channel.map(FileChannel.MapMode.READ_ONLY, 0, size))
                    .newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxModelException(file + " is not a valid ONNX model (" + e.getMessage()
                    + "); the file may be truncated or not an .onnx file", e);
        }
        if (!proto.hasIrVersion() || !proto.hasGraph()) {
            throw new OnnxModelException(file + " is not an ONNX model: it has no "
                    + (proto.hasIrVersion() ? "graph" : "ir_version") + "; expected an .onnx file as exported by"
                    + " an ONNX exporter");
        }
        try (ExternalDataReader external = new ExternalDataReader(file)) {
            ModelProto.Builder b = proto.toBuilder();
            b.setGraph(GraphTensors.rewrite(b.getGraph(), external::resolve));
            for (int i = 0; i < b.getFunctionsCount(); i++) {
                FunctionProto f = b.getFunctions(i);
                b.setFunctions(i, GraphTensors.rewrite(f, external::resolve));
            }
            proto = b.build();
            dataFiles = external.files();
        }
        return new OnnxModel(proto, dataFiles);
    }

    /** Wraps a model built in memory; its tensors must carry their data inline. */
    public static OnnxModel of(ModelProto proto) {
        return new OnnxModel(Objects.requireNonNull(proto, "proto"), Set.of());
    }

    /** The external data files {@link #load} read the weights from (none for in-memory models). */
    public Set<Path> externalDataFiles() {
        return externalDataFiles;
    }

    /** The editable main graph; always the same instance for this model. */
    public ModelGraph graph() {
        return graph;
    }

    /** A snapshot of the whole model with the graph's current edits, nodes in topological order. */
    public ModelProto toProto() {
        return header.clone().setGraph(graph.toProto()).build();
    }

    /** Saves with {@link SaveOptions#defaults()}. */
    public void save(Path out) throws IOException {
        save(out, SaveOptions.defaults());
    }

    /**
     * Writes the model to {@code out} and, when its initializers exceed the options' threshold, their
     * bytes to {@code <out's file name>.data} next to it at 4 KiB-aligned offsets. Files are replaced
     * atomically; on failure no partial or temporary file is left.
     *
     * @throws IllegalStateException if the graph has a cycle
     */
    public void save(Path out, SaveOptions options) throws IOException {
        ModelWriter.write(toProto(), out, options);
    }

    public long irVersion() {
        return header.getIrVersion();
    }

    /** The imported version of an operator set; {@code ""} and {@code "ai.onnx"} name the same one. */
    public OptionalLong opsetVersion(String domain) {
        String wanted = normalize(domain);
        return header.getOpsetImportList().stream()
                .filter(o -> normalize(o.getDomain()).equals(wanted))
                .mapToLong(OperatorSetIdProto::getVersion)
                .max();
    }

    /**
     * Makes sure the model imports {@code domain} at {@code version} or later, e.g.
     * {@code ensureOpset("com.microsoft", 1)} before adding a MatMulNBits node.
     *
     * @throws IllegalStateException if the default domain is imported at a lower version: raising it
     *     would change the meaning of the operators already in the graph
     */
    public void ensureOpset(String domain, long version) {
        String wanted = normalize(domain);
        for (int i = 0; i < header.getOpsetImportCount(); i++) {
            OperatorSetIdProto opset = header.getOpsetImport(i);
            if (!normalize(opset.getDomain()).equals(wanted)) {
                continue;
            }
            if (opset.getVersion() >= version) {
                return;
            }
            if (wanted.equals(DEFAULT_DOMAIN)) {
                throw new IllegalStateException("the model imports the default ONNX opset " + opset.getVersion()
                        + ", below the " + version + " needed; convert the model to opset " + version + " first");
            }
            header.setOpsetImport(i, opset.toBuilder().setVersion(version));
            return;
        }
        header.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
    }

    private static String normalize(String domain) {
        return domain.equals("ai.onnx") ? DEFAULT_DOMAIN : domain;
    }
}
