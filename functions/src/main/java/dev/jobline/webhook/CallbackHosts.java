package dev.jobline.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Keeps webhooks away from the function's own network: a callback host that resolves to a loopback,
 * private, link-local (169.254.x: metadata endpoints), carrier-grade NAT, unique-local, multicast or
 * unspecified address is not called. Checked at delivery time, because DNS can change after submit.
 * Residual risk: the HTTP client resolves the name again when it connects, so a name that flips
 * between the two lookups (DNS rebinding) can still slip through; a deployment that must exclude that
 * runs the function outside any VPC with private reach, where such addresses route nowhere.
 */
final class CallbackHosts {
    private final boolean allowPrivate;

    /** @param allowPrivate true only for local stacks and tests, whose receivers listen on 127.0.0.1 */
    CallbackHosts(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Why the URL must not be called, or empty when it may. */
    Optional<String> refusal(URI url) throws UnknownHostException {
        if (allowPrivate) {
            return Optional.empty();
        }
        String host = url.getHost();
        if (host == null) {
            return Optional.of("the callback URL names no host");
        }
        for (InetAddress address : InetAddress.getAllByName(host)) {
            if (isInternal(address)) {
                return Optional.of("the callback host " + host + " resolves to the internal address "
                        + address.getHostAddress() + "; only public addresses are called");
            }
        }
        return Optional.empty();
    }

    static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first == 0                                        // 0.0.0.0/8, "this network"
                    || (first == 100 && second >= 64 && second < 128) // 100.64.0.0/10, carrier-grade NAT
                    || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0); // 192.0.0.0/24, protocol assignments
        }
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc;                        // fc00::/7, unique local
        }
        return false;
    }
}
