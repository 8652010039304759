package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.StringStringEntryProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelLoadErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aTruncatedModelIsRejectedNamingTheFile() throws Exception {
        byte[] full = Files.readAllBytes(Fixtures.copy("digits_mlp.onnx", dir));
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(full, full.length / 2));

        assertThatThrownBy(() -> OnnxModel.load(truncated))
                .isInstanceOf(OnnxModelException.class)
                .hasMessageContaining(truncated.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void aFileThatIsNotOnnxIsRejectedNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "hello, this is not a model\n");
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);

        assertThatThrownBy(() -> OnnxModel.load(text))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining(text.toString());
        assertThatThrownBy(() -> OnnxModel.load(empty))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("not an ONNX model");
    }

    @Test
    void externalDataOutsideTheModelDirectoryIsRefused() throws Exception {
        Files.write(dir.resolve("secret.bin"), new byte[16]);
        Path modelDir = Files.createDirectory(dir.resolve("models"));

        Path parent = write(modelDir.resolve("up.onnx"), external("../secret.bin", 0, 16));
        Path absolute = write(modelDir.resolve("abs.onnx"), external(dir.resolve("secret.bin").toString(), 0, 16));

        assertThatThrownBy(() -> OnnxModel.load(parent))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("outside the model's directory");
        assertThatThrownBy(() -> OnnxModel.load(absolute))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("outside the model's directory");
    }

    @Test
    void aSymlinkLeadingOutOfTheModelDirectoryIsRefused() throws Exception {
        Files.write(dir.resolve("secret.bin"), new byte[16]);
        Path modelDir = Files.createDirectory(dir.resolve("models"));
        Files.createSymbolicLink(modelDir.resolve("link.bin"), dir.resolve("secret.bin"));

        Path model = write(modelDir.resolve("m.onnx"), external("link.bin", 0, 16));

        assertThatThrownBy(() -> OnnxModel.load(model))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("links outside");
    }

    @Test
    void aMissingOrShortDataFileIsReportedWithTheTensorName() throws Exception {
        Path missing = write(dir.resolve("missing.onnx"), external("missing.onnx.data", 0, 16));
        Files.write(dir.resolve("short.bin"), new byte[8]);
        Path shortData = write(dir.resolve("short.onnx"), external("short.bin", 0, 16));

        assertThatThrownBy(() -> OnnxModel.load(missing))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("'w'").hasMessageContaining("missing");
        assertThatThrownBy(() -> OnnxModel.load(shortData))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("'w'").hasMessageContaining("truncated");
    }

    @Test
    void externalDataWithoutALengthRunsToTheEndOfTheFile() throws Exception {
        byte[] floats = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0};
        Files.write(dir.resolve("w.bin"), floats);
        Path model = write(dir.resolve("m.onnx"), external("w.bin", 0, -1));

        TensorProto w = OnnxModel.load(model).graph().initializer("w").orElseThrow();

        assertThat(Tensors.toFloats(w)).containsExactly(1f, 2f, 0f, 0f);
        assertThat(w.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
        assertThat(w.getExternalDataCount()).isZero();
    }

    private static Path write(Path file, ModelProto model) throws Exception {
        return Files.write(file, model.toByteArray());
    }

    private static ModelProto external(String location, long offset, long length) {
        return ModelProto.newBuilder().setIrVersion(8)
                .setGraph(io.qreg.onnx.ir.GraphProto.newBuilder().setName("g")
                        .addInitializer(tensor(location, offset, length)))
                .build();
    }

    private static TensorProto tensor(String location, long offset, long length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)));
        if (length >= 0) {
            t.addExternalData(entry("length", Long.toString(length)));
        }
        return t.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
