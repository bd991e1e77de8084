package dev.jobline.store;

import dev.jobline.job.JobStatus;
import dev.jobline.job.Priority;
import java.time.Instant;

/** What the sweeper reads of a job whose in-flight index entry came due: enough to decide, no payload. */
public record DueJob(String jobId, String tenantId, String type, JobStatus status, int attempts,
                     int maxAttempts, Instant leaseExpiresAt, long version, Priority priority, Instant queuedAt,
                     int resends) {

    public boolean attemptsLeft() {
        return attempts < maxAttempts;
    }
}
