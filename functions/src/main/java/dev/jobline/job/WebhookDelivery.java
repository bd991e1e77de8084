package dev.jobline.job;

import java.time.Instant;

/**
 * How the completion webhook of a finished job went: PENDING, DELIVERED or FAILED after its attempts. The last error
 * is cut to {@link #MAX_ERROR_BYTES}: a receiver's answer must not grow the job's item without bound.
 */
public record WebhookDelivery(String status, int attempts, Integer lastStatusCode, String lastError, Instant lastAttemptAt) {
    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String FAILED = "FAILED";
    public static final int MAX_ERROR_BYTES = 1024;

    public WebhookDelivery {
        lastError = BoundedText.of(lastError, MAX_ERROR_BYTES);
    }
}
