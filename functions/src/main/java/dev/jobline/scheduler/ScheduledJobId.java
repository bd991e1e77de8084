package dev.jobline.scheduler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;

/**
 * The id of a fire's job: a name-based UUID (v5) of tenant, schedule and fire time, in a namespace of its own (no
 * Idempotency-Key can land on it). Every scheduler invocation that makes the same fire derives the same id, so the
 * job's conditional write lets only one of them create it.
 */
final class ScheduledJobId {
    private static final UUID NAMESPACE = UUID.fromString("3b0c5d1e-6a27-5f0e-9c7d-2e8b4f1a6c53");

    private ScheduledJobId() {
    }

    /** @param scheduleId the schedule's own id: a schedule deleted and made again under its name fires new jobs */
    static String of(String tenantId, String scheduleId, Instant fireAt) {
        byte[] name = (tenantId + ":" + scheduleId + ":" + fireAt.toEpochMilli()).getBytes(StandardCharsets.UTF_8);
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-1").digest(ByteBuffer.allocate(16 + name.length)
                    .putLong(NAMESPACE.getMostSignificantBits())
                    .putLong(NAMESPACE.getLeastSignificantBits())
                    .put(name)
                    .array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);   // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);   // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong()).toString();
    }
}
