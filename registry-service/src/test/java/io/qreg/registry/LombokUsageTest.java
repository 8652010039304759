package io.qreg.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The tests' own helpers use Lombok too (RegistryProcess, HttpApi), under the same rule. */
    private static final List<Path> SOURCES = List.of(Path.of("src", "main", "java"), Path.of("src", "test", "java"));
    private static final Pattern LOMBOK_IMPORT = Pattern.compile("^import (static )?lombok\\.([\\w.*]+);", Pattern.MULTILINE);
    private static final Set<String> ALLOWED = Set.of("RequiredArgsConstructor", "AccessLevel");

    @Test
    void onlyRequiredArgsConstructorIsUsed() throws IOException {
        List<String> others = new ArrayList<>();
        for (Path sources : SOURCES) {
            try (Stream<Path> files = Files.walk(sources)) {
                files.filter(file -> file.toString().endsWith(".java"))
                        .forEach(file -> lombokImports(file).stream()
                                .filter(name -> !ALLOWED.contains(name))
                                .forEach(name -> others.add(file + ": lombok." + name)));
            }
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
