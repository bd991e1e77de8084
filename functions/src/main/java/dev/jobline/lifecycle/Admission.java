package dev.jobline.lifecycle;

import dev.jobline.job.JobStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * Room in a tenant's limits for jobs about to enter QUEUED: taken before the job's write (so the limit holds), and
 * given back at once if that write does not happen. Once written, the job's place is released by its end.
 */
public interface Admission {

    /** Takes room for {@code jobs} jobs; throws {@link dev.jobline.job.Refusal.QuotaExceeded} when there is none. */
    void reserve(String tenantId, int jobs, Instant now);

    /** Gives back room taken for jobs that were not written. */
    void unreserve(String tenantId, int jobs);

    /**
     * Takes room for new jobs as {@link #reserve} does, and counts them ({@code entering}: how many enter each status)
     * and their cost in the same write: their creation is counted here, not again when it is announced.
     */
    default void admitNew(String tenantId, Map<JobStatus, Long> entering, BigDecimal dollars, Instant now) {
        reserve(tenantId, (int) entering.values().stream().mapToLong(Long::longValue).sum(), now);
    }

    /** Gives back what {@link #admitNew} took for jobs that were not written. */
    default void unadmitNew(String tenantId, Map<JobStatus, Long> entering, BigDecimal dollars) {
        unreserve(tenantId, (int) entering.values().stream().mapToLong(Long::longValue).sum());
    }

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
