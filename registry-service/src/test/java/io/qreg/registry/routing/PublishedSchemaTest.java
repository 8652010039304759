package io.qreg.registry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The routing schema in docs/ is the one the registry serves: a copy that cannot drift. */
class PublishedSchemaTest {

    @Test
    void theDocsCopyOfTheRoutingSchemaIsTheServedOne() throws IOException {
        String served;
        try (InputStream in = getClass().getResourceAsStream("/static/schemas/routing-v1.json")) {
            assertThat(in).as("served from the classpath").isNotNull();
            served = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path docs = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && docs == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/schemas/routing-v1.json");
            if (Files.exists(candidate)) {
                docs = candidate;
            }
        }
        assertThat(docs).as("docs/schemas/routing-v1.json above " + Path.of("").toAbsolutePath()).isNotNull();
        assertThat(Files.readString(docs)).isEqualTo(served);
    }
}
