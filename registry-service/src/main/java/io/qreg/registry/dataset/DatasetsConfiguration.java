package io.qreg.registry.dataset;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code qreg.datasets.*}. */
@Configuration
@EnableConfigurationProperties(DatasetLimits.class)
class DatasetsConfiguration {
}
