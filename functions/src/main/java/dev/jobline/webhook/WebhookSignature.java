package dev.jobline.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Jobline-Signature} header of a completion webhook: {@code t=<unix seconds>,v1=<hex>}, where
 * v1 is HMAC-SHA256 keyed with the tenant's webhook secret over {@code t + "." + body}. The timestamp is
 * signed with the body, so a receiver that refuses old timestamps refuses replays of a captured call.
 * {@link #verify} is what a receiver runs (this class is small on purpose, to be copied).
 */
public final class WebhookSignature {
    public static final String HEADER = "Jobline-Signature";
    /** How old a signature a receiver should still accept: older ones may be replays. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignature() {
    }

    /** The header value for a body sent at {@code timestamp} (unix seconds). */
    public static String header(String secret, long timestamp, String body) {
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(sign(secret, timestamp, body));
    }

    /**
     * True when the header carries a v1 signature of this exact body, made with this secret, at a time
     * within {@code tolerance} of {@code now} (either side, for clock skew). Any other header is false:
     * missing parts, a tampered body, another secret, an old or far-future timestamp.
     */
    public static boolean verify(String secret, String header, String body, Instant now, Duration tolerance) {
        if (secret == null || header == null || body == null) {
            return false;
        }
        Long timestamp = null;
        java.util.List<byte[]> candidates = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length != 2) {
                continue;
            }
            if (pair[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(pair[1]);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (pair[0].equals("v1")) {
                try {
                    candidates.add(HexFormat.of().parseHex(pair[1]));
                } catch (IllegalArgumentException e) {
                    // not hex: cannot match, but another v1 of the header might
                }
            }
        }
        if (timestamp == null || candidates.isEmpty()) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = sign(secret, timestamp, body);
        for (byte[] candidate : candidates) {
            // constant time: the comparison leaks nothing about how much of a guess was right
            if (MessageDigest.isEqual(expected, candidate)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sign(String secret, long timestamp, String body) {
        return hmac(secret.getBytes(StandardCharsets.UTF_8), timestamp + "." + body);
    }

    static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
