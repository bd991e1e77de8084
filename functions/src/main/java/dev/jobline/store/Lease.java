package dev.jobline.store;

import java.time.Instant;

/** Who runs an attempt and until when; a write under a lease that moved on is refused. */
public record Lease(String owner, Instant expiresAt) {
}
