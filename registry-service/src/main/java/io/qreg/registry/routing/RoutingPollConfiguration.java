package io.qreg.registry.routing;

import io.qreg.registry.security.TokenService;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;

import io.micrometer.core.instrument.MeterRegistry;

/** Puts {@link RoutingPollValve} in front of the servlet filter chain. */
@Configuration(proxyBeanMethods = false)
class RoutingPollConfiguration {

    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> routingPollValve(
            ObjectProvider<RoutingCache> cache, ObjectProvider<TokenService> tokens,
            ObjectProvider<RoleHierarchy> hierarchy, ObjectProvider<MeterRegistry> meters) {
        return factory -> factory.addContextValves(new RoutingPollValve(cache, tokens, hierarchy, meters));
    }
}
