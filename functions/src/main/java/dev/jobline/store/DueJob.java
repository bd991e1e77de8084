package dev.jobline.store;

import dev.jobline.job.JobStatus;
import dev.jobline.job.Priority;
import java.time.Instant;

/** What the sweeper reads of a job whose in-flight index entry came due: enough to decide, no payload. */
public record DueJob(String jobId, String tenantId, String type, JobStatus status, int attempts,
                     int maxAttempts, Instant leaseExpiresAt, long version, Priority priority, Instant queuedAt,
                     int resends) {

    /** The same decision data, read from a whole job (for a worker that finds a crashed attempt itself). */
    public static DueJob of(dev.jobline.job.Job job) {
        return new DueJob(job.jobId(), job.tenantId(), job.type(), job.status(), job.attempts(), job.maxAttempts(),
                job.leaseExpiresAt(), job.version(), job.priority(), null, 0);
    }

    public boolean attemptsLeft() {
        return attempts < maxAttempts;
    }
}
