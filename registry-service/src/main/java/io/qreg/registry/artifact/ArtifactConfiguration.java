package io.qreg.registry.artifact;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the artifact store: the filesystem under the data directory by default. */
@Configuration
class ArtifactConfiguration {

    @Bean
    BlobStore blobStore(@Value("${qreg.data-dir}") Path dataDir) {
        return new FilesystemBlobStore(dataDir.resolve("artifacts").toAbsolutePath());
    }
}
