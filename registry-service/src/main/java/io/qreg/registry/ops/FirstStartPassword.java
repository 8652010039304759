package io.qreg.registry.ops;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The admin's generated password, held from the moment the first account is created until the {@link ReadyBanner}
 * shows it. Only its hash is stored, so if the registry stops or fails before it is ready, the password is logged
 * on the way out: otherwise nobody could ever sign in as admin.
 */
@Component
public class FirstStartPassword implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(FirstStartPassword.class);

    /** The account created with a generated password, and that password. */
    record Account(String username, String password) {
    }

    private final AtomicReference<Account> account = new AtomicReference<>();

    /** Called once, by the code that created the {@code username} account with this password. */
    public void generated(String username, String password) {
        account.set(new Account(username, password));
    }

    /** The account and password if not shown yet; afterwards the password is forgotten. */
    Optional<Account> take() {
        return Optional.ofNullable(account.getAndSet(null));
    }

    @Override
    public void destroy() {
        take().ifPresent(a -> log.warn("""

                ================================================================
                 QReg stopped before it was ready. The first account was created,
                 and its password is shown only this once:
                   username: {}
                   password: {}
                ================================================================""", a.username(), a.password()));
    }
}
