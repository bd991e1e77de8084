package dev.jobline.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Safe repeats of a submission: the job id is derived from tenant and key (a name-based UUID, v5),
 * so the same key always lands on the same item and a conditional put tells a repeat from a first
 * time, with no transaction. The request hash tells a true repeat from a key reused for other work.
 */
final class Idempotency {
    /** How long a key stands for its first job. */
    static final Duration WINDOW = Duration.ofHours(24);
    private static final UUID NAMESPACE = UUID.fromString("6f1c2f1e-9b1d-5d2a-8e43-4a1f3c5b7d90");

    private Idempotency() {
    }

    static String jobId(String tenantId, String key) {
        byte[] name = (tenantId + ":" + key).getBytes(StandardCharsets.UTF_8);
        byte[] hash = sha1(ByteBuffer.allocate(16 + name.length)
                .putLong(NAMESPACE.getMostSignificantBits())
                .putLong(NAMESPACE.getLeastSignificantBits())
                .put(name)
                .array());
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);   // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);   // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong()).toString();
    }

    static String requestHash(String canonicalRequest) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** A key is 1-255 printable ASCII characters. */
    static boolean isValidKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }

    private static byte[] sha1(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }
}
