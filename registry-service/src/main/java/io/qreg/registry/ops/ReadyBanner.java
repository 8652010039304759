package io.qreg.registry.ops;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Once the registry is ready, one block saying where, with the port the server actually bound (QREG_PORT=0 picks
 * a free one), and on the first start the admin's one-time password: the two things a newcomer looks for, together
 * at the end of the startup lines rather than scrolled away among them.
 */
@Component
@RequiredArgsConstructor
class ReadyBanner {

    private static final String RULE = "================================================================";
    private static final Logger log = LoggerFactory.getLogger(ReadyBanner.class);

    private final FirstStartPassword firstStartPassword;

    /** Last of the ready listeners, so that the lines of the others (the embedded worker's) come before it. */
    @EventListener
    @Order(Ordered.LOWEST_PRECEDENCE)
    void onReady(ApplicationReadyEvent ready) {
        if (ready.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
            log.info(text(web.getWebServer().getPort(), firstStartPassword.take()));
        }
    }

    static String text(int port, Optional<FirstStartPassword.Account> firstAccount) {
        String url = "http://localhost:" + port + "/";
        StringBuilder text = new StringBuilder("\n").append(RULE).append('\n')
                .append(" QReg is ready at ").append(url).append('\n');
        firstAccount.ifPresent(account -> text
                .append(" This is the first start: the account '").append(account.username())
                .append("' was created. Its password is shown only this once:\n")
                .append("   username: ").append(account.username()).append('\n')
                .append("   password: ").append(account.password()).append('\n')
                .append(" Sign in at ").append(url).append("login, then create people and tokens under ")
                .append(url).append("admin\n"));
        return text.append(RULE).toString();
    }
}
