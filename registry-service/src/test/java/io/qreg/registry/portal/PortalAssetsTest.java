package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The portal's stylesheet as browsers get it: a single unclosed block silently drops every rule
 * after it (it once hid the rollout phase badges), which no page test notices.
 */
class PortalAssetsTest {

    @Test
    void theStylesheetClosesEveryBlockAndCarriesNoMergeMarkers() throws IOException {
        String css = read("static/css/qreg.css").replaceAll("(?s)/\\*.*?\\*/", "");
        int depth = 0;
        for (char c : css.toCharArray()) {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            assertThat(depth).as("a '}' closes a block that was never opened").isNotNegative();
        }
        assertThat(depth).as("blocks left open at the end of qreg.css").isZero();
        assertThat(css).doesNotContainPattern("(?m)^(<<<<<<<|=======|>>>>>>>)");
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = PortalAssetsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
