package dev.jobline.job;

import java.time.Instant;

/** How the completion webhook of a finished job went: PENDING, DELIVERED or FAILED after its attempts. */
public record WebhookDelivery(String status, int attempts, Integer lastStatusCode, String lastError, Instant lastAttemptAt) {
    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String FAILED = "FAILED";
}
