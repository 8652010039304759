package io.qreg.registry.database;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code qreg.*} settings this package reads; application.yml maps them from the QREG_* variables.
 *
 * @param dataDir where the registry keeps its state; the embedded cluster lives in its {@code postgres} folder
 * @param db      the external server, if any
 */
@ConfigurationProperties("qreg")
public record DatabaseProperties(@DefaultValue("./qreg-data") Path dataDir, @DefaultValue Db db) {

    /**
     * @param url               JDBC URL of an external PostgreSQL; blank selects the embedded server
     * @param user              the registry's user on the external server
     * @param password          its password
     * @param migrationUser     the user the migrations run as (the schema's owner); blank: {@code user}
     * @param migrationPassword its password
     */
    public record Db(String url, @DefaultValue("qreg") String user, String password, String migrationUser,
            String migrationPassword) {
    }

    boolean usesEmbeddedServer() {
        return db.url() == null || db.url().isBlank();
    }

    Path embeddedDataDirectory() {
        return dataDir.resolve("postgres");
    }
}
