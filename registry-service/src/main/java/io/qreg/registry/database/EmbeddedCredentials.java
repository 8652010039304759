package io.qreg.registry.database;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import io.qreg.registry.support.KeyFiles;

/**
 * The passwords of the embedded server's three roles, generated once into the data directory's
 * {@code keys/} (mode 0600) beside the cluster and read from there on every start:
 * <ul>
 * <li>{@value EmbeddedDatabase#SUPERUSER}, the cluster's superuser, used only to set the other two up;</li>
 * <li>{@value EmbeddedDatabase#OWNER}, which owns the schema and runs the migrations;</li>
 * <li>{@value EmbeddedDatabase#APP}, the registry's own role, which owns nothing.</li>
 * </ul>
 */
record EmbeddedCredentials(Path superuserPasswordFile, String superuser, String owner, String app) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The passwords for a cluster in {@code clusterDirectory}, kept in its parent's {@code keys/}. */
    static EmbeddedCredentials forCluster(Path clusterDirectory) {
        Path keys = KeyFiles.directory(clusterDirectory.toAbsolutePath().getParent());
        Path superuserFile = keys.resolve("postgres-superuser.password");
        return new EmbeddedCredentials(superuserFile, read(superuserFile),
                read(keys.resolve("postgres-" + EmbeddedDatabase.OWNER + ".password")),
                read(keys.resolve("postgres-" + EmbeddedDatabase.APP + ".password")));
    }

    private static String read(Path file) {
        return new String(KeyFiles.readOrCreate(file, EmbeddedCredentials::generate), StandardCharsets.UTF_8).trim();
    }

    /** 32 random bytes, URL-safe Base64: no quote or backslash to escape in SQL or in a pwfile. */
    private static byte[] generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret).getBytes(StandardCharsets.US_ASCII);
    }

    /** Never prints a password. */
    @Override
    public String toString() {
        return "EmbeddedCredentials[superuserPasswordFile=" + superuserPasswordFile + "]";
    }
}
