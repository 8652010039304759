package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoginThrottleSettingsTest {

    private final LoginThrottleSettings defaults = new LoginThrottleSettings(10, Duration.ofMinutes(5),
            Duration.ofSeconds(1), Duration.ofMinutes(15));

    @Test
    void theWaitDoublesFromTheFirstDelay() {
        assertThat(defaults.delayAfter(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.delayAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(defaults.delayAfter(9)).isEqualTo(Duration.ofSeconds(512));
    }

    @Test
    void theWaitStopsGrowingAtTheMaximumHoweverManyFailures() {
        assertThat(defaults.delayAfter(10)).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.delayAfter(31)).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void nonsensicalSettingsAreRefusedAtStartup() {
        assertThatThrownBy(() -> new LoginThrottleSettings(0, Duration.ofMinutes(5), Duration.ofSeconds(1),
                Duration.ofMinutes(15))).hasMessageContaining("max-failures");
        assertThatThrownBy(() -> new LoginThrottleSettings(10, Duration.ofMinutes(5), Duration.ofSeconds(10),
                Duration.ofSeconds(1))).hasMessageContaining("max-delay");
    }
}
