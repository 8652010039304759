package io.qreg.registry.dataset;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code qreg.datasets.*}: the largest a dataset may be once inflated ({@code QREG_MAX_DATASET_BYTES},
 * 2 GiB unless set), whatever its size on the wire.
 */
@ConfigurationProperties("qreg.datasets")
public record DatasetLimits(Long maxBytes) {

    public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024 * 1024;

    public DatasetLimits {
        maxBytes = maxBytes == null || maxBytes <= 0 ? DEFAULT_MAX_BYTES : maxBytes;
    }
}
