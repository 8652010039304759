package io.qreg.registry.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Every address a receiver's host name resolves to. Production resolves with {@link InetAddress},
 * the same resolver (and JVM cache) the HTTP client then connects through; tests may substitute
 * a resolver whose answers change, as a rebinding DNS server's do.
 */
@FunctionalInterface
interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
