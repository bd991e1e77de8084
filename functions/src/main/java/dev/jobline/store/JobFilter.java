package dev.jobline.store;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import java.time.Instant;
import java.util.Set;

/**
 * Which jobs a list or a bulk action selects: any of some statuses, one type, created within a range. A null or empty
 * field selects everything. The created range narrows the tenant index's sort key, so it costs nothing to apply;
 * status and type are read from the items.
 *
 * <p>(Issue 14 adds a concurrency key to jobs: its filter belongs here, as one more field matched in {@link #matches}.)
 */
public record JobFilter(Set<JobStatus> statuses, String type, Instant createdAfter, Instant createdBefore) {

    public static final JobFilter ALL = new JobFilter(Set.of(), null, null, null);

    public JobFilter {
        statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
    }

    public boolean matches(Job job) {
        return (statuses.isEmpty() || statuses.contains(job.status()))
                && (type == null || type.equals(job.type()))
                && (createdAfter == null || !job.createdAt().isBefore(createdAfter))
                && (createdBefore == null || job.createdAt().isBefore(createdBefore));
    }
}
