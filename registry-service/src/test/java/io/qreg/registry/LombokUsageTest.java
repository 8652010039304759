package io.qreg.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Lombok writes the registry's injection constructors and nothing else (docs/architecture.md, section 2): getters,
 * builders or {@code @Data} would hide what an aggregate lets others see and change. Lombok's annotations do not
 * survive compilation, so this reads the sources.
 */
class LombokUsageTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern LOMBOK_IMPORT = Pattern.compile("^import (static )?lombok\\.([\\w.*]+);", Pattern.MULTILINE);
    private static final Set<String> ALLOWED = Set.of("RequiredArgsConstructor", "AccessLevel");

    @Test
    void onlyRequiredArgsConstructorIsUsed() throws IOException {
        List<String> others;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            others = files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> lombokImports(file).stream()
                            .filter(name -> !ALLOWED.contains(name))
                            .map(name -> SOURCES.relativize(file) + ": lombok." + name))
                    .toList();
        }
        assertThat(others).isEmpty();
    }

    @Test
    void theCheckSeesAnImportOfAnotherLombokFeature() {
        assertThat(lombokImports("import lombok.Getter;\nimport lombok.RequiredArgsConstructor;\n"))
                .containsExactly("Getter", "RequiredArgsConstructor");
    }

    private static List<String> lombokImports(Path file) {
        try {
            return lombokImports(Files.readString(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> lombokImports(String source) {
        return LOMBOK_IMPORT.matcher(source).results().map(match -> match.group(2)).toList();
    }
}
