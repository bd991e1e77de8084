package dev.jobline.lifecycle;

import java.time.Instant;

/**
 * Room in a tenant's limits for jobs about to enter QUEUED: taken before the job's write (so the limit holds), and
 * given back at once if that write does not happen. Once written, the job's place is released by its end.
 */
public interface Admission {

    /** Takes room for {@code jobs} jobs; throws {@link dev.jobline.job.Refusal.QuotaExceeded} when there is none. */
    void reserve(String tenantId, int jobs, Instant now);

    /** Gives back room taken for jobs that were not written. */
    void unreserve(String tenantId, int jobs);

    /** For code without quotas (tests, tools): everything is admitted. */
    Admission UNLIMITED = new Admission() {
        @Override
        public void reserve(String tenantId, int jobs, Instant now) {
        }

        @Override
        public void unreserve(String tenantId, int jobs) {
        }
    };
}
