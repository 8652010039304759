package io.qreg.registry.webhook;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Binds {@code qreg.webhooks.*}, turns on scheduling for the dispatcher's poll, and resolves receivers' hosts. */
@Configuration
@EnableScheduling
@EnableConfigurationProperties(WebhookSettings.class)
class WebhooksConfiguration {

    @Bean
    HostResolver hostResolver() {
        return HostResolver.system();
    }
}
