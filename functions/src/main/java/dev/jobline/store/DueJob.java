package dev.jobline.store;

import dev.jobline.job.JobStatus;
import dev.jobline.job.Priority;
import java.time.Instant;

/** What the sweeper reads of a job from the in-flight index: enough to decide, no payload. */
public record DueJob(String jobId, String tenantId, String type, JobStatus status, int attempts,
                     int maxAttempts, Instant leaseExpiresAt, long version, Priority priority, Instant queuedAt) {

    public boolean attemptsLeft() {
        return attempts < maxAttempts;
    }
}
