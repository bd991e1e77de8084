package dev.jobline.store;

import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where jobs live. Every state change is a conditional write: a method that returns false or empty
 * lost a race or found the job elsewhere in its life, which is a normal outcome, not an error.
 */
public interface JobStore {

    /**
     * Writes a new job; false when a job with its id exists already. A job whose {@code runAt} is
     * further away than a queue can delay a message is due for the sweeper at its runAt.
     */
    boolean create(Job job);

    /**
     * Writes a new job over a finished one with the same id that was created before {@code cutoff}
     * (an idempotency key used again after its window). False when there is none such.
     */
    boolean replaceFinished(Job job, Instant cutoff);

    /** A tenant's jobs, newest first, optionally only of some statuses and one type. */
    default JobPage listByTenant(String tenantId, java.util.Set<JobStatus> statuses, String type, int limit, String cursor) {
        return list(tenantId, new JobFilter(statuses, type, null, null, null), limit, cursor);
    }

    /**
     * A tenant's jobs that the filter selects, newest first. A filtered page reads a bounded number of keys: it may hold
     * fewer than {@code limit} jobs and still have a next cursor.
     */
    JobPage list(String tenantId, JobFilter filter, int limit, String cursor);

    /**
     * The jobs of all these tenants that the filter selects, newest first (an operator's view): each tenant's index
     * read newest first and merged. Reads a bounded number of keys per page, as {@link #list} does.
     */
    JobPage listAcross(List<String> tenantIds, JobFilter filter, int limit, String cursor);

    /** What a waiting reader compares: the job's version (one more on every write) and status. */
    record Revision(long version, JobStatus status) {
    }

    /** The job's revision, read consistently; empty when there is no such job. Cheaper on the wire than the job. */
    default Optional<Revision> revision(String jobId) {
        return find(jobId).map(job -> new Revision(job.version(), job.status()));
    }

    /** QUEUED to CANCELLED at once, for the tenant that owns the job; empty when it was not QUEUED. */
    Optional<Job> cancelQueuedNow(String jobId, String tenantId, Instant now);

    /** The tenant's job, FAILED or CANCELLED as {@code from} says, back to QUEUED with a fresh attempt budget; empty when it was not. */
    Optional<Job> retry(String jobId, String tenantId, JobStatus from, long version, Instant keyHeldUntil, Instant now);

    /** One page of FAILED jobs of a shard that failed between {@code from} and {@code to}, from the sparse failed index. */
    FailedPage findFailed(int shard, Instant from, Instant to, int limit, String cursor);

    /**
     * Every job of one shard of the in-flight index (every QUEUED or RUNNING job is in it), read for counting: the cost
     * grows with the jobs in flight, not with the table. Eventually consistent: a job that moved a moment ago may show
     * its previous status.
     */
    List<InFlightJob> inFlightJobs(int shard);

    /** What counting needs of a job in flight. */
    record InFlightJob(String jobId, String tenantId, String type, JobStatus status, Instant queuedAt, String waitingFor) {
    }

    /** The number of in-flight index shards. */
    int shards();

    Optional<Job> find(String jobId);

    /** The jobs with these ids that exist, read consistently, in no particular order. */
    default List<Job> findAll(java.util.Collection<String> jobIds) {
        return jobIds.stream().map(this::find).flatMap(Optional::stream).toList();
    }

    // ---- chains: a WAITING job waits for its parents (dependsOn); a parent names its WAITING children (dependents)

    /**
     * Names {@code childId} among the tenant's job {@code parentId}'s dependents, so the parent's end finds it. Empty
     * when there is no such job of the tenant, or it has {@link Job#MAX_DEPENDENTS} already.
     */
    Optional<Job> addDependent(String parentId, String tenantId, String childId);

    /**
     * WAITING to QUEUED (its parents all succeeded): due now, for the sweeper after the stale threshold. A batch
     * flow's job that is still pending ({@link Job#flowPending()}) is released only with {@code flowCommit}. Empty when
     * the job was not so.
     */
    Optional<Job> release(String jobId, boolean flowCommit, Instant now);

    /** The tenant's WAITING job ends CANCELLED, with {@code error} (null: its tenant cancelled it); empty when it was not WAITING. */
    Optional<Job> cancelWaiting(String jobId, String tenantId, JobError error, Instant now);

    /** A batch flow is stored whole: its WAITING job no longer waits for that, only for its parents. False when it did not. */
    boolean endFlowPending(String jobId, Instant now);

    /** Sweeper: a WAITING job whose parents have not all ended: look again at {@code sweepAt} (one more recheck counted). */
    boolean deferWaitingSweep(DueJob job, Instant sweepAt);

    /**
     * Starts an attempt: a QUEUED job with no cancel request, or a RUNNING job whose lease has
     * expired, becomes RUNNING under the new lease with one more attempt counted. Empty when the
     * job is in no state to be claimed (finished, held by a live lease, cancelled, out of attempts).
     */
    Optional<Claim> claim(String jobId, Lease lease, Instant now);

    /**
     * Undoes a claim whose attempt never started: the RUNNING job under {@code lease} goes back to QUEUED with the
     * attempt no longer counted (and no start time if it was the first). Empty when the job is no longer that lease's.
     */
    Optional<Job> giveBack(Job claimed, Lease lease, Instant now);

    /**
     * A won claim: the job as it now is, the status it was claimed from (QUEUED, or RUNNING with an expired lease),
     * and since when it could have been claimed (submission, due time, end of a retry's backoff; null if unknown).
     */
    record Claim(Job job, JobStatus previous, Instant queuedAt) {
    }

    /**
     * Notes why a QUEUED job that is due does not start yet (a concurrency limit is full): not a move, only what the
     * job shows until a claim clears it. False when the job is not QUEUED or already says so.
     */
    boolean markWaiting(String jobId, String reason, Instant now);

    /** Extends a running attempt's lease and records progress; empty once the lease is no longer ours. */
    Optional<Job> heartbeat(String jobId, Lease lease, Progress progress, Instant now);

    // the four ends of an attempt add the attempt's cost to the job's in the same conditional write

    /** RUNNING to SUCCEEDED, only under the lease that ran the attempt; the job as it ended, empty when the write lost. */
    Optional<Job> succeed(String jobId, String leaseOwner, String resultJson, Progress progress, JobCost attempt, Instant now);

    /** RUNNING to FAILED, only under the lease that ran the attempt; the job as it ended, empty when the write lost. */
    Optional<Job> fail(String jobId, String leaseOwner, JobError error, JobCost attempt, Instant now);

    /** RUNNING to CANCELLED after the handler saw the cancel request, only under its lease; empty when the write lost. */
    Optional<Job> cancelRunning(String jobId, String leaseOwner, JobCost attempt, Instant now);

    /** RUNNING back to QUEUED to wait for the next attempt, only under the lease that ran this one; empty when the write lost. */
    Optional<Job> awaitRetry(String jobId, String leaseOwner, JobError error, Instant nextAttemptAt, JobCost attempt, Instant now);

    /**
     * An attempt ended the job ({@code endedBy} is its lease owner) but its invocation did not finish: the counts of
     * that end may not have been written. Forgets the attempt's name, so this happens once; empty when it had been
     * forgotten already (or the job ended otherwise).
     */
    Optional<Job> recountEnd(String jobId, String endedBy, Instant now);

    /** Sets the cancel flag on the tenant's job that has not finished; empty when it has (or is not the tenant's). */
    Optional<Job> requestCancel(String jobId, String tenantId, Instant now);

    /** A QUEUED job whose cancel flag is set becomes CANCELLED; empty when it was in no such state. */
    Optional<Job> cancelQueued(String jobId, Instant now);

    /** One page of in-flight jobs of a shard whose {@code sweepAt} has passed, read from the sparse index. */
    DuePage findDue(int shard, Instant now, int limit, String cursor);

    /**
     * Sweeper: a RUNNING job came due but its lease is live (a long job): look again at {@code sweepAt}.
     * False when it is no longer running.
     */
    boolean deferSweep(DueJob job, Instant sweepAt);

    /**
     * Sweeper: a QUEUED job's message was just sent (a far-off job come due, or an entry left by an older version):
     * it leaves the in-flight index, the queue holds it now. False when it changed since it was read.
     */
    boolean handedToQueue(DueJob job, Instant now);

    /** Sweeper: a RUNNING job whose lease expired goes back to QUEUED with the reason recorded; empty when the write lost. */
    Optional<Job> requeueExpired(DueJob job, JobError error, Instant now);

    /**
     * A RUNNING job whose lease expired, with no attempts left, ends FAILED (the sweeper, or a worker that received its
     * message); empty when the write lost.
     */
    Optional<Job> failExpired(DueJob job, JobError error, Instant now);

    /**
     * A job whose message reached the dead-letter queue ends FAILED with the given reason, from {@code from} (QUEUED,
     * or RUNNING with an expired lease). Empty when it is no longer so: it ended, or an attempt holds it under a live
     * lease.
     */
    Optional<Job> failDeadLettered(String jobId, JobStatus from, JobError error, Instant now);

    /**
     * Records that the completion webhook of a job that ended at {@code finishedAt} is queued: PENDING,
     * no attempt yet. False when the job has ended again since, or a delivery outcome is already recorded
     * (the webhook function can be faster than this write).
     */
    boolean webhookQueued(String jobId, Instant finishedAt);

    /**
     * Records a delivery attempt's outcome for the ending at {@code finishedAt}, only if no other
     * attempt was recorded since the one numbered {@code previousAttempts} (0: none). False when
     * another delivery of the same message got there first, or the job has ended again since.
     */
    boolean recordWebhook(String jobId, Instant finishedAt, int previousAttempts, dev.jobline.job.WebhookDelivery delivery);

    /** Keeps a dead-lettered message that names no job; writing the same message twice keeps one. */
    void keepDeadLetter(DeadLetter letter);

    /** A kept dead letter, by its message id. */
    Optional<DeadLetter> findDeadLetter(String messageId);

    /** The kept dead letters, newest first, a page at a time. */
    DeadLetterPage keptDeadLetters(int limit, String cursor);

    /** One page of kept dead letters and the cursor of the next, null at the end. */
    record DeadLetterPage(List<DeadLetter> letters, String nextCursor) {
    }

    /** One page of the sweeper's scan and the cursor of the next, null at the end. */
    record DuePage(List<DueJob> jobs, String nextCursor, int itemsRead) {
    }

    /** One page of a tenant's jobs and the opaque cursor of the next, null at the end. */
    record JobPage(List<Job> jobs, String nextCursor) {
    }

    /** One page of failed jobs: id, tenant, type, priority and error, and the cursor of the next. */
    record FailedPage(List<FailedJob> jobs, String nextCursor) {
    }

    /** A FAILED job as the failed index holds it. */
    record FailedJob(String jobId, String tenantId, String type, dev.jobline.job.Priority priority,
                     JobError error, Instant failedAt) {
    }

    /** A cursor that this store did not issue for this caller. */
    final class InvalidCursor extends RuntimeException {
        public InvalidCursor(String message) {
            super(message);
        }
    }

    // ---- reconciliation (dev.jobline.reconcile): a rare, paginated scan of the whole table

    /**
     * One page of an eventually consistent Scan of the whole table, {@code limit} items read: the jobs among them (other
     * items, such as tenants' records and concurrency keys, are read and left out), how many items were read, the read
     * units DynamoDB reports they cost, and the cursor of the next page (null at the end). The cost grows with the table.
     */
    ScanPage scanJobs(int limit, String cursor);

    /** What the reconciliation needs of a job; {@code inSweeperIndex}: it has the in-flight index's attributes. */
    record ScannedJob(String jobId, String tenantId, String type, dev.jobline.job.Priority priority, JobStatus status,
                      int attempts, int maxAttempts, Instant updatedAt, Instant queuedAt, Instant nextAttemptAt, Instant runAt,
                      Instant leaseExpiresAt, String waitingFor, boolean inSweeperIndex) {
    }

    /** One page of the scan: its jobs, the items read, the read units consumed, and the next page's cursor or null. */
    record ScanPage(List<ScannedJob> jobs, int itemsRead, double readUnits, String nextCursor) {
    }
}
