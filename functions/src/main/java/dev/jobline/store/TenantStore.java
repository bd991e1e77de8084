package dev.jobline.store;

import dev.jobline.job.JobStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One record per tenant with its limits' state and its counts: how many of its jobs are in flight (the quota), how
 * many were submitted this minute, how many are in each status, and what they have cost. A reservation is one
 * conditional write; everything an invocation's moves changed for a tenant is one more.
 */
public interface TenantStore {

    /** Granted, or refused with the limit that was hit and when trying again can succeed. */
    record Decision(boolean granted, String limit, Duration retryAfter) {
        public static final Decision GRANTED = new Decision(true, null, Duration.ZERO);
    }

    /** Takes room for {@code jobs} new in-flight jobs and as many submissions in this minute. */
    default Decision reserve(String tenantId, int jobs, Instant now) {
        return reserve(tenantId, jobs, Delta.none(), now);
    }

    /**
     * Takes room as {@link #reserve(String, int, Instant)} does and, in the same write, adds {@code counted} (the new
     * jobs' status counts and cost; its in-flight part is ignored): one tenant write per submission.
     */
    Decision reserve(String tenantId, int jobs, Delta counted, Instant now);

    /** Gives back room taken for jobs that were never written. Never below zero. */
    void unreserve(String tenantId, int jobs);

    /** Gives back room and counts taken by {@link #reserve(String, int, Delta, Instant)} for jobs never written. */
    default void unreserve(String tenantId, int jobs, Delta counted) {
        Map<JobStatus, Long> back = new EnumMap<>(JobStatus.class);
        counted.jobs().forEach((status, n) -> back.put(status, -n));
        apply(tenantId, new Delta(back, -jobs, counted.dollars().negate()));
    }

    /**
     * What moves changed for one tenant: jobs per status (signed), in-flight places (signed: negative for jobs that
     * ended), and dollars spent.
     */
    record Delta(Map<JobStatus, Long> jobs, long inFlight, BigDecimal dollars) {
        public Delta {
            jobs = jobs.isEmpty() ? new EnumMap<>(JobStatus.class) : new EnumMap<>(jobs);
        }

        public static Delta none() {
            return new Delta(Map.of(), 0, BigDecimal.ZERO);
        }

        public boolean isEmpty() {
            return inFlight == 0 && dollars.signum() == 0 && jobs.values().stream().allMatch(n -> n == 0);
        }
    }

    /** Adds a delta to a tenant's record in one write (in-flight never below zero). */
    void apply(String tenantId, Delta delta);

    /** A tenant's record as it is. */
    record TenantCounts(String tenantId, long inFlight, long submittedThisWindow, Map<JobStatus, Long> jobs, BigDecimal dollars) {
    }

    /** Every tenant that ever reserved room (or that counting found in flight). */
    List<String> tenants();

    /** The records of these tenants (a tenant with none reads as all zeros). */
    Map<String, TenantCounts> read(Collection<String> tenantIds);

    /** Adds tenants to the list {@link #tenants()} answers (idempotent). */
    void register(Collection<String> tenantIds);

    /**
     * What the sweeper last counted in flight, per job type and per tenant (only tenants with jobs in flight), and
     * the oldest wait.
     */
    record InFlightSnapshot(Instant countedAt, Map<String, InFlightCounts> byType, Map<String, InFlightCounts> byTenant,
                            Instant oldestQueuedAt) {
    }

    /**
     * Jobs QUEUED, RUNNING, and of the QUEUED ones those due but held back by a full concurrency limit (LIMITED); jobs
     * WAITING for the jobs they depend on.
     */
    record InFlightCounts(long queued, long running, long limited, long waiting) {
        public static final InFlightCounts NONE = new InFlightCounts(0, 0, 0, 0);

        public InFlightCounts plus(JobStatus status, boolean waitingForLimit) {
            return new InFlightCounts(queued + (status == JobStatus.QUEUED ? 1 : 0), running + (status == JobStatus.RUNNING ? 1 : 0),
                    limited + (status == JobStatus.QUEUED && waitingForLimit ? 1 : 0), waiting + (status == JobStatus.WAITING ? 1 : 0));
        }
    }

    void saveSnapshot(InFlightSnapshot snapshot);

    Optional<InFlightSnapshot> snapshot();
}
