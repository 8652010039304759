package io.qreg.registry.security;

import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.PATCH;
import static org.springframework.http.HttpMethod.POST;
import static org.springframework.http.HttpMethod.PUT;

import jakarta.servlet.DispatcherType;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Two filter chains: the API (stateless, bearer tokens or HTTP Basic, problem+json on 401/403) and the portal
 * (form login, session, CSRF). Every API route is listed with the role it needs; anything not
 * listed is denied, so a new endpoint is closed until someone decides who may call it.
 */
@Configuration
class SecurityConfiguration {

    /**
     * What portal pages may load: only this origin's scripts, styles, images and fonts (Bootstrap's icons are
     * data: SVGs), nothing framed or framing. Inline style attributes stay allowed because server-rendered
     * bars draw their width with one (progress, traffic weights) and must without JavaScript; style elements,
     * inline scripts and eval do not. docs/security.md, "Web hygiene".
     */
    static final String PORTAL_CSP = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self';"
            + " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /** Swagger UI (the API reference) adds a style element of its own; its pages alone allow inline styles. */
    private static final RequestMatcher API_REFERENCE = PathPatternRequestMatcher.pathPattern("/swagger-ui/**");
    static final String API_REFERENCE_CSP = PORTAL_CSP.replace("style-src 'self'; style-src-attr 'unsafe-inline';",
            "style-src 'self' 'unsafe-inline';");

    /** ADMIN can do what an ENGINEER can; every human role can read. Machines imply nothing. */
    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.fromHierarchy("""
                ROLE_ADMIN > ROLE_ENGINEER
                ROLE_ENGINEER > ROLE_VIEWER
                ROLE_APPROVER > ROLE_VIEWER
                ROLE_RISK_OFFICER > ROLE_VIEWER
                """);
    }

    /**
     * No tracing observation around each of the ~15 security filters: on the worker and gateway hot
     * paths it cost more CPU than authentication itself. Request metrics (http.server.requests) stay.
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService userDetailsService(AppUserRepository users) {
        return username -> users.findByUsername(username)
                .filter(u -> u.getPasswordHash() != null)
                .map(u -> User.withUsername(u.getUsername()).password(u.getPasswordHash())
                        .disabled(!u.isEnabled()).authorities(AccountAuthorities.of(u)).build())
                .orElseThrow(() -> new UsernameNotFoundException("no password login for " + username));
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, TokenService tokens, LoginThrottle throttle) throws Exception {
        var entryPoint = ProblemResponses.unauthorized();
        http.securityMatcher("/api/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                // Machines call the API thousands of times a second: no anonymous token to build per
                // request (no caller is simply unauthenticated, answered 401) and no logout to match.
                .anonymous(anonymous -> anonymous.disable())
                .logout(logout -> logout.disable())
                .addFilterBefore(new BearerTokenFilter(tokens, entryPoint), UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(LoginThrottleFilter.api(throttle), BasicAuthenticationFilter.class)
                // Basic auth lets a person with only a password mint their first token with curl -u.
                .httpBasic(basic -> basic.authenticationEntryPoint(entryPoint))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(ProblemResponses.forbidden()))
                .authorizeHttpRequests(api -> api
                        // A long poll's answer is dispatched again once ready; its request was authorized when it came in.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .requestMatchers(GET, "/api/v1/users").hasRole("ADMIN")
                        .requestMatchers(POST, "/api/v1/users").hasRole("ADMIN")
                        .requestMatchers(PATCH, "/api/v1/users/*").hasRole("ADMIN")
                        .requestMatchers(POST, "/api/v1/users/*/password").hasRole("ADMIN")
                        // The one thing an account whose password an ADMIN reset may do (it holds no role until then).
                        .requestMatchers(POST, "/api/v1/me/password").authenticated()
                        .requestMatchers(GET, "/api/v1/me").hasAnyRole(ANY_ROLE)
                        .requestMatchers(GET, "/api/v1/tokens").hasAnyRole(ANY_ROLE)
                        .requestMatchers(POST, "/api/v1/tokens").hasAnyRole(ANY_ROLE)
                        .requestMatchers(DELETE, "/api/v1/tokens/*").hasAnyRole(ANY_ROLE)
                        // Workers fetch what they quantize, calibrate, evaluate and benchmark with.
                        .requestMatchers(GET, "/api/v1/checkpoints/*/content",
                                "/api/v1/datasets/*/versions/*/content", "/api/v1/variants/*/content")
                        .hasAnyRole("VIEWER", "WORKER")
                        // The worker protocol (docs/worker-protocol.md).
                        .requestMatchers(POST, "/api/v1/workers/register", "/api/v1/workers/*/claim",
                                "/api/v1/jobs/*/heartbeat", "/api/v1/jobs/*/result").hasRole("WORKER")
                        // A worker deregisters itself when it stops; an ADMIN may retire any worker id.
                        .requestMatchers(POST, "/api/v1/workers/*/deregister").hasAnyRole("WORKER", "ADMIN")
                        .requestMatchers(POST, "/api/v1/hardware-targets").hasRole("ADMIN")
                        // Governance: ADMINs set policies, ENGINEERs ask for approvals, only the signing roles sign.
                        .requestMatchers(PUT, "/api/v1/models/*/policy").hasRole("ADMIN")
                        .requestMatchers(DELETE, "/api/v1/models/*/policy").hasRole("ADMIN")
                        .requestMatchers(POST, "/api/v1/approvals").hasRole("ENGINEER")
                        .requestMatchers(POST, "/api/v1/approvals/*/signoffs").hasAnyRole("APPROVER", "RISK_OFFICER")
                        .requestMatchers(POST, "/api/v1/models", "/api/v1/models/*/checkpoints",
                                "/api/v1/recipes", "/api/v1/datasets", "/api/v1/jobs", "/api/v1/jobs/*/cancel",
                                "/api/v1/variants/*/reproduce")
                        .hasRole("ENGINEER")
                        // Webhooks: engineers wire CI/CD and chat; reads too, as receiver URLs may embed credentials.
                        .requestMatchers(GET, "/api/v1/webhooks", "/api/v1/webhooks/*", "/api/v1/webhooks/*/deliveries")
                        .hasRole("ENGINEER")
                        .requestMatchers(POST, "/api/v1/webhooks", "/api/v1/webhooks/*/test").hasRole("ENGINEER")
                        .requestMatchers(DELETE, "/api/v1/webhooks/*").hasRole("ENGINEER")
                        // Engineers define deployments and move rollouts; gateways read routing, acknowledge it and report canary health.
                        .requestMatchers(POST, "/api/v1/deployments", "/api/v1/deployments/*/rollouts",
                                "/api/v1/rollouts/*/advance", "/api/v1/rollouts/*/pause", "/api/v1/rollouts/*/resume",
                                "/api/v1/rollouts/*/rollback").hasRole("ENGINEER")
                        // Lifecycle (issue 14): engineers move aliases, tag, archive and unarchive, as they create these.
                        .requestMatchers(PUT, "/api/v1/models/*/aliases/*", "/api/v1/models/*/tags/*",
                                "/api/v1/checkpoints/*/tags/*", "/api/v1/variants/*/tags/*").hasRole("ENGINEER")
                        .requestMatchers(DELETE, "/api/v1/models/*/aliases/*", "/api/v1/models/*/tags/*",
                                "/api/v1/checkpoints/*/tags/*", "/api/v1/variants/*/tags/*").hasRole("ENGINEER")
                        .requestMatchers(POST, "/api/v1/models/*/archive", "/api/v1/models/*/unarchive",
                                "/api/v1/variants/*/archive", "/api/v1/variants/*/unarchive",
                                "/api/v1/deployments/*/archive", "/api/v1/deployments/*/unarchive").hasRole("ENGINEER")
                        .requestMatchers(POST, "/api/v1/rollouts/*/health", "/api/v1/rollouts/health")
                        .hasAnyRole("ENGINEER", "GATEWAY")
                        .requestMatchers(GET, "/api/v1/routing/**").hasAnyRole("VIEWER", "GATEWAY")
                        .requestMatchers(POST, "/api/v1/routing/*/ack").hasRole("GATEWAY")
                        .requestMatchers(GET, "/api/v1/**").hasRole("VIEWER")
                        .anyRequest().denyAll());
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain portalChain(HttpSecurity http, TokenService tokens, LoginThrottle throttle,
            AppUserRepository users) throws Exception {
        http.addFilterBefore(new BearerTokenFilter(tokens, ProblemResponses.unauthorized()),
                        UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(LoginThrottleFilter.portal(throttle), UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(new PortalSessionFilter(users), ExceptionTranslationFilter.class)
                .authorizeHttpRequests(web -> web
                        .requestMatchers("/login", "/error", "/css/**", "/js/**", "/img/**", "/webjars/**",
                                "/favicon.ico").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                        // Published JSON Schemas (the routing document's) for anyone validating what they receive.
                        .requestMatchers("/schemas/**").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .requestMatchers("/actuator/**", "/admin/**").hasRole("ADMIN")
                        // Where an account whose password an ADMIN reset is sent; anyone signed in may change theirs.
                        .requestMatchers("/account/password").authenticated()
                        // The engineer's portal forms: upload a checkpoint, start a quantization, cancel a job.
                        .requestMatchers(POST, "/models/*/checkpoints", "/models/*/quantize", "/jobs/*/cancel")
                        .hasRole("ENGINEER")
                        // The portal's governance forms, held to the same roles as their API routes; a
                        // hidden button is no protection, so the chain refuses the POST itself (403 page).
                        .requestMatchers(GET, "/approvals/new").hasRole("ENGINEER")
                        .requestMatchers(POST, "/approvals").hasRole("ENGINEER")
                        .requestMatchers(POST, "/approvals/*/signoffs").hasAnyRole("APPROVER", "RISK_OFFICER")
                        // The deployment page's forms (start a rollout, advance, pause, resume, roll back), held
                        // to the API's rule: hidden buttons protect nothing, so the chain refuses the POST (403).
                        .requestMatchers(POST, "/deployments/*/rollouts", "/deployments/*/rollouts/*/*")
                        .hasRole("ENGINEER")
                        .anyRequest().hasRole("VIEWER"))
                .formLogin(form -> form.loginPage("/login").successHandler(PortalSessions.successHandler()).permitAll())
                .exceptionHandling(e -> e.accessDeniedHandler(portalAccessDenied()))
                // The session cookie goes too: otherwise the next page load presents a dead session and
                // is answered "session expired" instead of "signed out".
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?logout")
                        .deleteCookies("JSESSIONID"))
                // A session idle for server.servlet.session.timeout (QREG_SESSION_TIMEOUT, 30m by default)
                // ends; the next page load lands on the sign-in page saying so.
                .sessionManagement(s -> s.invalidSessionUrl("/login?expired"))
                .headers(headers -> headers
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(API_REFERENCE,
                                new ContentSecurityPolicyHeaderWriter(API_REFERENCE_CSP)))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(new NegatedRequestMatcher(
                                API_REFERENCE), new ContentSecurityPolicyHeaderWriter(PORTAL_CSP)))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /** Every role: what any account in good standing holds (one whose password was reset holds none). */
    private static final String[] ANY_ROLE = java.util.Arrays.stream(Role.values()).map(Role::name)
            .toArray(String[]::new);

    /** An account that must change its password is sent to do so; anyone else gets the 403 page. */
    private static AccessDeniedHandler portalAccessDenied() {
        AccessDeniedHandler forbidden = new AccessDeniedHandlerImpl();
        return (request, response, e) -> {
            if (AccountAuthorities.mustChangePassword(SecurityContextHolder.getContext().getAuthentication())) {
                response.sendRedirect(request.getContextPath() + "/account/password");
            } else {
                forbidden.handle(request, response, e);
            }
        };
    }
}
