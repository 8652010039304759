package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3SettingsTest {

    @Test
    void noEndpointMeansNoS3Store() {
        assertThat(S3Settings.fromProperties("", "bucket", "key", "secret", "us-east-1", "sha256/")).isNull();
        assertThat(S3Settings.fromProperties(null, null, null, null, null, null)).isNull();
    }

    @Test
    void anEndpointWithoutBucketOrKeysStopsTheStartNamingWhatIsMissing() {
        assertThatThrownBy(() -> S3Settings.fromProperties("http://object-store:9000", " ", "key", "", "", ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("QREG_S3_BUCKET")
                .hasMessageContaining("QREG_S3_SECRET_KEY")
                .hasMessageNotContaining("QREG_S3_ACCESS_KEY");
    }

    @Test
    void defaultsApplyAndTheSecretIsNeverPrinted() {
        S3Settings settings = S3Settings.fromProperties("http://object-store:9000", "qreg", "key", "s3cr3t", "", "sha256/");

        assertThat(settings.region()).isEqualTo("us-east-1");
        assertThat(settings.partSizeBytes()).isEqualTo(S3Settings.DEFAULT_PART_SIZE);
        assertThat(settings.keyOf("ab".repeat(32))).isEqualTo("sha256/ab/ab/" + "ab".repeat(32));
        assertThat(settings.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void partsSmallerThanS3AllowsAreRefused() {
        S3Settings settings = S3Settings.fromProperties("http://object-store:9000", "qreg", "key", "secret", "", "");

        assertThatThrownBy(() -> settings.withPartSize(1024 * 1024)).isInstanceOf(IllegalArgumentException.class);
    }
}
