package io.qreg.engine.eval;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The fixture models and arrays shipped in this module's test resources. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path path(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
