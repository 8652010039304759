package io.qreg.registry.webhook;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The address ranges a webhook may not reach unless {@code QREG_WEBHOOK_ALLOW_PRIVATE=true}: those of
 * the registry's own host and network, where a receiver URL would let anyone who can subscribe probe
 * internal services (the database port, cloud metadata at 169.254.169.254, admin consoles).
 */
final class BlockedAddresses {

    private BlockedAddresses() {
    }

    /** The name of the blocked range holding {@code address}, or empty when it is a public address. */
    static Optional<String> rangeOf(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified (0.0.0.0 or ::)");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        if (address instanceof Inet4Address v4) {
            return ipv4Range(v4.getAddress());
        }
        byte[] b = address.getAddress();
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("unique-local");
        }
        // An IPv4 address inside an IPv6 one (::a.b.c.d, ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d)
        // reaches that IPv4 address, so it is judged as one.
        if (embedsIpv4(b)) {
            try {
                return rangeOf(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> ipv4Range(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return Optional.of("unspecified (0.0.0.0/8)");
        }
        if (first == 100 && second >= 64 && second < 128) {
            return Optional.of("private (shared address space 100.64.0.0/10)");
        }
        if (first >= 240) {
            return Optional.of("reserved or broadcast (240.0.0.0/4)");
        }
        return Optional.empty();
    }

    private static boolean embedsIpv4(byte[] b) {
        boolean zeroPrefix = isZero(b, 0, 10);
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0;
        boolean mapped = zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b && isZero(b, 4, 12);
        return compatible || mapped || nat64;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
