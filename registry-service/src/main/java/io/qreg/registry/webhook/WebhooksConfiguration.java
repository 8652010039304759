package io.qreg.registry.webhook;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Binds {@code qreg.webhooks.*} and turns on scheduling for the dispatcher's poll. */
@Configuration
@EnableScheduling
@EnableConfigurationProperties(WebhookSettings.class)
class WebhooksConfiguration {
}
