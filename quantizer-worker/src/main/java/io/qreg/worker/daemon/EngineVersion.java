package io.qreg.worker.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The quantizer-worker version, from the pom.properties Maven writes into the jar (absent in an IDE or test build). */
public final class EngineVersion {

    private static final String VERSION = lookup();

    private EngineVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String lookup() {
        try (InputStream in = EngineVersion.class.getResourceAsStream(
                "/META-INF/maven/io.qreg/quantizer-worker/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // Fall through to the development label.
        }
        String implementation = EngineVersion.class.getPackage().getImplementationVersion();
        return implementation != null ? implementation : "development build";
    }
}
