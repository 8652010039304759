package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.eval.Fixtures;
import io.qreg.onnx.ir.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelSaveTest {

    @TempDir
    Path dir;

    @Test
    void savingIntoAMissingDirectoryFailsAndCreatesNothing() throws Exception {
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        Path out = dir.resolve("no-such-dir").resolve("out.onnx");

        assertThatThrownBy(() -> model.save(out)).isInstanceOf(IOException.class)
                .hasMessageContaining("no-such-dir");

        assertThat(dir.resolve("no-such-dir")).doesNotExist();
        assertThat(listing(dir)).containsExactly("digits_mlp.onnx");
    }

    @Test
    void savingUnderAPathWhoseDirectoryIsAFileFailsAndCreatesNothing() throws Exception {
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        Path notADirectory = Files.writeString(dir.resolve("plain.txt"), "x");

        assertThatThrownBy(() -> model.save(notADirectory.resolve("out.onnx"))).isInstanceOf(IOException.class);

        assertThat(listing(dir)).containsExactlyInAnyOrder("digits_mlp.onnx", "plain.txt");
        assertThat(notADirectory).hasContent("x");
    }

    @Test
    void aFailedFinalRenameLeavesNoTemporaryOrPartialFile() throws Exception {
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        Path occupied = Files.createDirectory(dir.resolve("out.onnx")); // a non-empty directory cannot be replaced
        Files.writeString(occupied.resolve("keep.txt"), "x");

        assertThatThrownBy(() -> model.save(occupied, SaveOptions.defaults().withExternalDataThreshold(0)))
                .isInstanceOf(IOException.class);

        assertThat(listing(dir)).containsExactlyInAnyOrder("digits_mlp.onnx", "out.onnx");
        assertThat(listing(occupied)).containsExactly("keep.txt");
    }

    @Test
    void savingIntoAReadOnlyDirectoryFailsAndCreatesNothing() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root ignores directory permissions");
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(() -> model.save(readOnly.resolve("out.onnx"))).isInstanceOf(IOException.class);
            assertThat(listing(readOnly)).isEmpty();
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aModelWithACycleIsNotWrittenAtAll() throws Exception {
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        ModelGraph g = model.graph();
        String last = g.nodes().get(g.nodes().size() - 1).getOutput(0);
        g.replaceInput(g.nodes().get(0), g.nodes().get(0).getInput(0), last);

        assertThatThrownBy(() -> model.save(dir.resolve("out.onnx"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cycle");
        assertThat(listing(dir)).containsExactly("digits_mlp.onnx");
    }

    @Test
    void replacingAnExistingFileSwapsItWhole() throws Exception {
        Path file = Fixtures.copy("digits_mlp.onnx", dir);
        OnnxModel model = OnnxModel.load(file);
        model.ensureOpset("com.microsoft", 1);

        model.save(file);

        assertThat(listing(dir)).containsExactly("digits_mlp.onnx");
        ModelProto back = ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(back.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));
    }

    @Test
    void ensureOpsetAddsOrRaisesCustomDomainsButNeverTheDefaultOne() throws Exception {
        OnnxModel model = OnnxModel.load(Fixtures.copy("digits_mlp.onnx", dir));
        assertThat(model.opsetVersion("")).hasValue(17);
        assertThat(model.opsetVersion("ai.onnx")).hasValue(17);
        assertThat(model.opsetVersion("com.microsoft")).isEmpty();

        model.ensureOpset("com.microsoft", 1);
        model.ensureOpset("com.microsoft", 1);
        model.ensureOpset("", 13);

        assertThat(model.toProto().getOpsetImportList()).filteredOn(o -> o.getDomain().equals("com.microsoft"))
                .singleElement().satisfies(o -> assertThat(o.getVersion()).isEqualTo(1));
        assertThat(model.opsetVersion("")).hasValue(17);
        assertThatThrownBy(() -> model.ensureOpset("", 21)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("17");
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
