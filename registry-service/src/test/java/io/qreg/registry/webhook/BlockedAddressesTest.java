package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockedAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "0.1.2.3", "10.0.0.1",
            "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "fe80::1", "fd00::1", "fc00::1",
            "224.0.0.1", "239.255.255.250", "ff02::1", "100.64.0.1", "255.255.255.255", "::ffff:127.0.0.1",
            "::127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1"})
    void addressesInsideTheNetworkAreBlocked(String literal) throws Exception {
        assertThat(BlockedAddresses.rangeOf(InetAddress.getByName(literal))).as(literal).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
            "2001:db8::1", "::ffff:8.8.8.8", "64:ff9b::808:808"})
    void publicAddressesAreNot(String literal) throws Exception {
        assertThat(BlockedAddresses.rangeOf(InetAddress.getByName(literal))).as(literal).isEmpty();
    }
}
