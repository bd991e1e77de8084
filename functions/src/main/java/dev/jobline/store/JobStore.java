package dev.jobline.store;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.Progress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where jobs live. Every state change is a conditional write: a method that returns false or empty
 * lost a race or found the job elsewhere in its life, which is a normal outcome, not an error.
 */
public interface JobStore {

    /** Writes a new job; false when a job with its id exists already. */
    boolean create(Job job);

    Optional<Job> find(String jobId);

    /**
     * Starts an attempt: a QUEUED job with no cancel request, or a RUNNING job whose lease has
     * expired, becomes RUNNING under the new lease with one more attempt counted. Empty when the
     * job is in no state to be claimed (finished, held by a live lease, cancelled, out of attempts).
     */
    Optional<Job> claim(String jobId, Lease lease, Instant now);

    /** Extends a running attempt's lease and records progress; empty once the lease is no longer ours. */
    Optional<Job> heartbeat(String jobId, Lease lease, Progress progress, Instant now);

    /** RUNNING to SUCCEEDED, only under the lease that ran the attempt. */
    boolean succeed(String jobId, String leaseOwner, String resultJson, Progress progress, Instant now);

    /** RUNNING to FAILED, only under the lease that ran the attempt. */
    boolean fail(String jobId, String leaseOwner, JobError error, Instant now);

    /** RUNNING to CANCELLED after the handler saw the cancel request, only under its lease. */
    boolean cancelRunning(String jobId, String leaseOwner, Instant now);

    /** RUNNING back to QUEUED to wait for the next attempt, only under the lease that ran this one. */
    boolean awaitRetry(String jobId, String leaseOwner, JobError error, Instant nextAttemptAt, Instant now);

    /** Sets the cancel flag on a job that has not finished; empty when it has (or does not exist). */
    Optional<Job> requestCancel(String jobId, Instant now);

    /** A QUEUED job whose cancel flag is set becomes CANCELLED. */
    boolean cancelQueued(String jobId, Instant now);

    /** One page of in-flight jobs of a shard whose {@code sweepAt} has passed, read from the sparse index. */
    DuePage findDue(int shard, Instant now, int limit, String cursor);

    /** Sweeper: a QUEUED job is being sent again; moves its next look to {@code nextSweepAt}. */
    boolean markResent(DueJob job, Instant nextSweepAt, Instant now);

    /** Sweeper: a RUNNING job whose lease expired goes back to QUEUED with the reason recorded. */
    boolean requeueExpired(DueJob job, JobError error, Instant now);

    /** Sweeper: a RUNNING job whose lease expired, with no attempts left, ends FAILED. */
    boolean failExpired(DueJob job, JobError error, Instant now);

    /**
     * A job whose message reached the dead-letter queue ends FAILED with the given reason, unless it
     * has already ended. False when it had (or does not exist).
     */
    boolean failDeadLettered(String jobId, JobError error, Instant now);

    /** Keeps a dead-lettered message that names no job; writing the same message twice keeps one. */
    void keepDeadLetter(DeadLetter letter);

    /** A kept dead letter, by its message id. */
    Optional<DeadLetter> findDeadLetter(String messageId);

    /** One page of the sweeper's scan and the cursor of the next, null at the end. */
    record DuePage(List<DueJob> jobs, String nextCursor, int itemsRead) {
    }
}
