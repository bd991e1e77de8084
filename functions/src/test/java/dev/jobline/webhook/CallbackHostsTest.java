package dev.jobline.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallbackHostsTest {

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);   // a literal address: no DNS lookup
    }

    @Test
    void internalAddressesAreRecognised() throws UnknownHostException {
        for (String internal : List.of("127.0.0.1", "127.8.8.8", "::1", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "100.127.255.254", "192.0.0.170", "fe80::1", "fd00::1", "fc12::1",
                "224.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1")) {
            assertTrue(CallbackHosts.isInternal(ip(internal)), internal + " is internal");
        }
    }

    @Test
    void publicAddressesAreNot() throws UnknownHostException {
        for (String open : List.of("93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1",
                "2606:4700:4700::1111")) {
            assertFalse(CallbackHosts.isInternal(ip(open)), open + " is public");
        }
    }

    @Test
    void aLoopbackCallbackIsRefusedUnlessPrivateHostsAreAllowed() throws UnknownHostException {
        URI local = URI.create("http://127.0.0.1:8080/hook");

        Optional<String> refusal = new CallbackHosts(false).refusal(local);

        assertTrue(refusal.isPresent());
        assertTrue(refusal.get().contains("127.0.0.1"), refusal.get());
        assertEquals(Optional.empty(), new CallbackHosts(true).refusal(local));
        assertEquals(Optional.empty(), new CallbackHosts(false).refusal(URI.create("https://93.184.216.34/hook")));
    }
}
