package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The portal's stylesheets as browsers get them: a single unclosed block silently drops every rule
 * after it (it once hid the rollout phase badges), which no page test notices. The stylesheets are
 * the ones the page shell links, so a new file is checked as soon as a page uses it.
 */
class PortalAssetsTest {

    private static final Pattern STYLESHEET = Pattern.compile("th:href=\"@\\{/(css/[^}\"]+\\.css)}\"");

    @Test
    void everyLinkedStylesheetClosesEveryBlockAndCarriesNoMergeMarkers() throws IOException {
        List<String> stylesheets = linkedStylesheets();
        assertThat(stylesheets).as("stylesheets linked in fragments/layout.html").contains("css/qreg.css");
        for (String stylesheet : stylesheets) {
            String css = read("static/" + stylesheet).replaceAll("(?s)/\\*.*?\\*/", "");
            int depth = 0;
            for (char c : css.toCharArray()) {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                assertThat(depth).as("a '}' in %s closes a block that was never opened", stylesheet).isNotNegative();
            }
            assertThat(depth).as("blocks left open at the end of %s", stylesheet).isZero();
            assertThat(css).as(stylesheet).doesNotContainPattern("(?m)^(<<<<<<<|=======|>>>>>>>)");
        }
    }

    @Test
    void everyStylesheetStaysUnderTheFileLengthLimit() throws IOException {
        for (String stylesheet : linkedStylesheets()) {
            long lines = read("static/" + stylesheet).lines().count();
            assertThat(lines).as("lines in %s", stylesheet).isLessThanOrEqualTo(450);
        }
    }

    private static List<String> linkedStylesheets() throws IOException {
        Matcher links = STYLESHEET.matcher(read("templates/fragments/layout.html"));
        List<String> found = new ArrayList<>();
        while (links.find()) {
            found.add(links.group(1));
        }
        return found;
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = PortalAssetsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
