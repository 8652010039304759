package io.qreg.registry.database;

import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Provides the registry's {@link javax.sql.DataSource}: an embedded PostgreSQL in {@code ${qreg.data-dir}/postgres}
 * when {@code qreg.db.url} is blank, otherwise the server it names. Because a DataSource bean exists, Spring Boot's
 * own DataSource auto-configuration backs off while Flyway and JPA use this one.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
public class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    /**
     * The server. The pool below depends on it, so on context close Spring closes the pool first and then stops
     * the embedded server, if there is one.
     */
    @Bean(destroyMethod = "close")
    public DatabaseServer databaseServer(DatabaseProperties properties) {
        if (properties.usesEmbeddedServer()) {
            return EmbeddedDatabase.start(properties.embeddedDataDirectory());
        }
        DatabaseProperties.Db db = properties.db();
        DatabaseConnection app = new DatabaseConnection(db.url().trim(), db.user(), orNull(db.password()));
        if (db.migrationUser() == null || db.migrationUser().isBlank()) {
            return new ExternalDatabase(app);
        }
        return new ExternalDatabase(app,
                new DatabaseConnection(db.url().trim(), db.migrationUser().trim(), orNull(db.migrationPassword())));
    }

    /** An empty password means "none", not "the empty string". */
    private static String orNull(String password) {
        return password == null || password.isEmpty() ? null : password;
    }

    /**
     * Flyway migrates as the schema's owner, not as the registry's own role, and its
     * {@code afterMigrate} callback grants that role what it needs ({@code ${appRole}}).
     */
    @Bean
    FlywayConfigurationCustomizer migrateAsTheSchemaOwner(DatabaseServer server) {
        return configuration -> {
            DatabaseConnection migration = server.migrationConnection();
            configuration.dataSource(migration.jdbcUrl(), migration.user(), migration.password());
            // Flyway's ${...} substitution: afterMigrate.sql grants to ${appRole}, the registry's own role.
            configuration.placeholders(Map.of("appRole", server.connection().user()));
        };
    }

    /** Pool settings come from {@code spring.datasource.hikari.*}, as with Boot's own data source. */
    @Bean(destroyMethod = "close")
    @ConfigurationProperties("spring.datasource.hikari")
    public HikariDataSource dataSource(DatabaseServer server) {
        DatabaseConnection connection = server.connection();
        log.info("Using {} PostgreSQL at {} as user {}",
                server instanceof EmbeddedDatabase ? "embedded" : "external", connection.redactedUrl(),
                connection.user());
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setPoolName("qreg");
        dataSource.setJdbcUrl(connection.jdbcUrl());
        dataSource.setUsername(connection.user());
        dataSource.setPassword(connection.password());
        return dataSource;
    }
}
