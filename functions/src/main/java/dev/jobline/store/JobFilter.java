package dev.jobline.store;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import java.time.Instant;
import java.util.Set;

/**
 * Which jobs a list or a bulk action selects: any of some statuses, one type, one concurrency key (held or once held),
 * created within a range. A null or empty field selects everything. The created range narrows the tenant index's sort
 * key, so it costs nothing to apply; status, type and key are read from the items.
 */
public record JobFilter(Set<JobStatus> statuses, String type, String concurrencyKey, Instant createdAfter, Instant createdBefore) {

    public static final JobFilter ALL = new JobFilter(Set.of(), null, null, null, null);

    public JobFilter {
        statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
    }

    public boolean matches(Job job) {
        return (statuses.isEmpty() || statuses.contains(job.status()))
                && (type == null || type.equals(job.type()))
                && (concurrencyKey == null || job.key() != null && concurrencyKey.equals(job.key().value()))
                && (createdAfter == null || !job.createdAt().isBefore(createdAfter))
                && (createdBefore == null || job.createdAt().isBefore(createdBefore));
    }
}
