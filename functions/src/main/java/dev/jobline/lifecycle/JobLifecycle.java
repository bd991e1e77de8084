package dev.jobline.lifecycle;

import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import dev.jobline.job.Refusal;
import dev.jobline.log.Log;
import dev.jobline.store.DueJob;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Every status change of a job, in one place: the change is checked against {@link JobStatus}'s transition table
 * before anything is written, made by one conditional write in the store, and, when that write wins, announced once
 * to every listener (counts and quota, metrics, the completion webhook, the log). A write that loses (another
 * attempt, a duplicate delivery, a lease moved on) is a normal outcome: empty, and nothing is announced.
 *
 * <p>A job entering QUEUED (a submission, a retry) takes room in its tenant's limits first ({@link Admission}); room
 * taken for a write that does not happen is given back at once. Call {@link #flush()} at the end of an invocation.
 */
public final class JobLifecycle {
    private final JobStore store;
    private final Admission admission;
    private final ConcurrencyKeys keys;
    private final List<JobListener> listeners;
    private final Clock clock;

    /** Without concurrency keys (a job with one is refused). */
    public JobLifecycle(JobStore store, Admission admission, List<JobListener> listeners, Clock clock) {
        this(store, admission, ConcurrencyKeys.NONE, listeners, clock);
    }

    /** @param keys taken before a job enters QUEUED; give themselves back as a listener (put them in {@code listeners}) */
    public JobLifecycle(JobStore store, Admission admission, ConcurrencyKeys keys, List<JobListener> listeners, Clock clock) {
        this.store = store;
        this.admission = admission;
        this.keys = keys;
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    /** The same lifecycle (admission, listeners, clock) writing through another store, e.g. one a test wraps. */
    public JobLifecycle over(JobStore other) {
        return new JobLifecycle(other, admission, keys, listeners, clock);
    }

    // ---- a job enters QUEUED

    /**
     * Writes a new job, after taking room for it; empty (the room given back) when a job with its id exists already.
     * Throws {@link dev.jobline.job.Refusal.QuotaExceeded} when there is no room. Without a message: for a job that
     * needs none yet (WAITING, or due later than a queue can delay one), or a test.
     */
    public Optional<Job> create(Job job, JobCost cost) {
        return create(job, cost, NO_MESSAGE);
    }

    /**
     * As {@link #create(Job, JobCost)}, with {@code sendFirst} run after the room and the key are taken and before the
     * write: a job is never stored QUEUED without its message. When it throws, nothing is written (room and key given
     * back) and the exception goes to the caller; a message whose write then fails names a job that does not exist,
     * which the worker drops.
     */
    public Optional<Job> create(Job job, JobCost cost, Runnable sendFirst) {
        return admitted(job, () -> store.create(job) ? Optional.of(job) : Optional.empty(), null, cost, Cause.SUBMIT, sendFirst);
    }

    /** A new job over a finished one with its id created before {@code cutoff} (an idempotency key used again later). */
    public Optional<Job> replaceFinished(Job job, Instant cutoff, JobCost cost, Runnable sendFirst) {
        return admitted(job, () -> store.replaceFinished(job, cutoff) ? Optional.of(job) : Optional.empty(),
                null, cost, Cause.SUBMIT, sendFirst);
    }

    /** Nothing to send. */
    public static final Runnable NO_MESSAGE = () -> { };

    /** Sends the messages of many jobs; answers the jobs whose message could not be sent. */
    @FunctionalInterface
    public interface Sender {
        List<Job> sendAll(List<Job> jobs);

        Sender NONE = jobs -> List.of();
    }

    /** As {@link #createAll(String, List, JobCost, Sender)}, sending nothing. */
    public List<Admitted> createAll(String tenantId, List<Job> jobs, JobCost each) {
        return createAll(tenantId, jobs, each, Sender.NONE);
    }

    /**
     * Writes many new jobs of one tenant, after taking room for all of them at once (and counting them in that same
     * write). Their messages go first ({@code sender}), in as few calls as it can; a job whose message was not sent is
     * not written. Each item is the job as written, or empty when it could not be (its room is given back); one that
     * fails sinks nothing else. The writes run in parallel.
     */
    public List<Admitted> createAll(String tenantId, List<Job> jobs, JobCost each, Sender sender) {
        for (Job job : jobs) {
            check(null, job.status());
        }
        admission.admitNew(tenantId, entering(jobs), dollars(each, jobs.size()), clock.instant());
        Admitted[] results = new Admitted[jobs.size()];
        boolean[] tookKey = new boolean[jobs.size()];
        List<Job> keyed = new ArrayList<>(jobs.size());
        for (int k = 0; k < jobs.size(); k++) {
            Job job = jobs.get(k);
            try {
                tookKey[k] = keys.take(job, clock.instant());
                keyed.add(job);
            } catch (Refusal.KeyConflict conflict) {
                // this job only: its key is another job's
                results[k] = new Admitted(null, conflict);
            } catch (RuntimeException e) {
                Log.error("job.not_stored", e, "jobId", job.jobId(), "tenantId", tenantId);
                results[k] = new Admitted(null, null);
            }
        }
        Set<String> unsent = new HashSet<>();
        try {
            for (Job job : sender.sendAll(keyed)) {
                unsent.add(job.jobId());
            }
        } catch (RuntimeException e) {
            Log.warn("jobs.not_sent", "tenantId", tenantId, "reason", e.getMessage());
            keyed.forEach(job -> unsent.add(job.jobId()));
        }
        List<Integer> toWrite = new ArrayList<>();
        for (int k = 0; k < jobs.size(); k++) {
            if (results[k] == null && unsent.contains(jobs.get(k).jobId())) {
                Log.warn("job.not_sent", "jobId", jobs.get(k).jobId(), "tenantId", tenantId);
                results[k] = new Admitted(null, null);
            } else if (results[k] == null) {
                toWrite.add(k);
            }
        }
        writeAll(jobs, toWrite, results, tenantId);
        Map<JobStatus, Long> unused = new EnumMap<>(JobStatus.class);
        for (int k = 0; k < jobs.size(); k++) {
            if (results[k].job() == null) {
                unused.merge(jobs.get(k).status(), 1L, Long::sum);
                if (tookKey[k]) {
                    keys.giveBack(jobs.get(k));
                }
            }
        }
        if (!unused.isEmpty()) {
            admission.unadmitNew(tenantId, unused, dollars(each, (int) unused.values().stream().mapToLong(Long::longValue).sum()));
        }
        for (Admitted admitted : results) {
            if (admitted.job() != null) {
                announce(moved(admitted.job(), null, Cause.SUBMIT, each));
            }
        }
        return List.of(results);
    }

    /** Threads for a batch's writes: each is one round trip, and a batch of 100 one after another is most of its time. */
    private static final int BATCH_WRITERS = 8;
    private static final ExecutorService WRITERS = Executors.newFixedThreadPool(
            BATCH_WRITERS, runnable -> {
                Thread thread = new Thread(runnable, "jobline-batch-write");
                thread.setDaemon(true);
                return thread;
            });

    private void writeAll(List<Job> jobs, List<Integer> toWrite, Admitted[] results, String tenantId) {
        List<Future<Boolean>> writes = new ArrayList<>(toWrite.size());
        Map<String, Object> context = Log.context();
        for (int k : toWrite) {
            Job job = jobs.get(k);
            writes.add(WRITERS.submit(() -> {
                Log.restoreContext(context);
                try {
                    return store.create(job);
                } finally {
                    Log.clearContext();
                }
            }));
        }
        for (int i = 0; i < toWrite.size(); i++) {
            int k = toWrite.get(i);
            Job job = jobs.get(k);
            try {
                results[k] = writes.get(i).get() ? new Admitted(job, null) : new Admitted(null, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results[k] = new Admitted(null, null);
            } catch (ExecutionException e) {
                Log.error("job.not_stored", e.getCause(), "jobId", job.jobId(), "tenantId", tenantId);
                results[k] = new Admitted(null, null);
            }
        }
    }

    private static Map<JobStatus, Long> entering(List<Job> jobs) {
        Map<JobStatus, Long> entering = new EnumMap<>(JobStatus.class);
        for (Job job : jobs) {
            entering.merge(job.status(), 1L, Long::sum);
        }
        return entering;
    }

    private static BigDecimal dollars(JobCost each, int jobs) {
        return each == null ? BigDecimal.ZERO : each.dollars().multiply(BigDecimal.valueOf(jobs));
    }

    /**
     * Writes the jobs of one batch flow, all WAITING, in the order given (a job's dependents before it), after taking
     * room for all of them at once ({@link dev.jobline.job.Refusal.QuotaExceeded} with nothing written when there is
     * none). All or nothing: when one cannot be written (its key is another job's, the table fails), the ones written
     * end at once, CANCELLED with {@link JobError#FLOW_NOT_STORED}, without running, and the failure is thrown.
     */
    public List<Job> createFlow(String tenantId, List<Job> jobs, JobCost each) {
        for (Job job : jobs) {
            check(null, job.status());
        }
        admission.admitNew(tenantId, entering(jobs), dollars(each, jobs.size()), clock.instant());
        List<Job> written = new ArrayList<>(jobs.size());
        RuntimeException failure = null;
        for (Job job : jobs) {
            boolean tookKey = false;
            try {
                tookKey = keys.take(job, clock.instant());
                if (!store.create(job)) {
                    throw new IllegalStateException("job id " + job.jobId() + " is already taken");
                }
                written.add(job);
            } catch (RuntimeException e) {
                if (tookKey) {
                    keys.giveBack(job);
                }
                failure = e;
                break;
            }
        }
        for (Job job : written) {
            announce(moved(job, null, Cause.SUBMIT, each));
        }
        if (failure == null) {
            return written;
        }
        List<Job> unwritten = jobs.subList(written.size(), jobs.size());
        admission.unadmitNew(tenantId, entering(unwritten), dollars(each, unwritten.size()));
        JobError notStored = new JobError(JobError.FLOW_NOT_STORED,
                "another job of its batch flow could not be stored, so none of the flow runs", false);
        for (Job job : written) {
            try {
                cancelWaiting(job, notStored, Cause.SUBMIT);
            } catch (RuntimeException e) {
                // left WAITING: the sweeper cancels a flow's job whose flow was never released
                Log.error("flow.not_undone", e, "jobId", job.jobId(), "tenantId", tenantId);
            }
        }
        throw failure;
    }

    /** One job of a batch: as written, or not written (then {@code conflict} says when its key was another job's). */
    public record Admitted(Job job, Refusal.KeyConflict conflict) {
    }

    /** As {@link #retry(Job, Cause, Runnable)}, sending nothing. */
    public Optional<Job> retry(Job current, Cause cause) {
        return retry(current, cause, NO_MESSAGE);
    }

    /**
     * The tenant's FAILED or CANCELLED job (as {@code current} last read it) back to QUEUED with a fresh attempt
     * budget, taking its place in the quota and its concurrency key again; {@code sendFirst} sends its message before
     * the write (a worker that gets it before the write lands sends it back for a moment).
     */
    public Optional<Job> retry(Job current, Cause cause, Runnable sendFirst) {
        Instant now = clock.instant();
        // the key is held again for as long as at the submission
        Job again = current.key() == null ? current : current.withKey(new JobKey(current.key().value(),
                current.key().scope(), now.plus(Duration.between(current.createdAt(), current.key().heldUntil()))));
        Instant keyHeldUntil = again.key() == null ? null : again.key().heldUntil();
        return admitted(again, () -> store.retry(current.jobId(), current.tenantId(), current.status(), current.version(), keyHeldUntil, now),
                current.status(), null, cause, sendFirst);
    }

    private Optional<Job> admitted(Job job, Supplier<Optional<Job>> write, JobStatus from, JobCost cost, Cause cause,
                                   Runnable sendFirst) {
        // a new job enters QUEUED, or WAITING for its parents; a retried one QUEUED
        check(from, from == null ? job.status() : JobStatus.QUEUED);
        String tenantId = job.tenantId();
        Runnable giveBackRoom;
        if (from == null) {
            // a new job is counted by the same write that takes its room
            Map<JobStatus, Long> entering = Map.of(job.status(), 1L);
            admission.admitNew(tenantId, entering, dollars(cost, 1), clock.instant());
            giveBackRoom = () -> admission.unadmitNew(tenantId, entering, dollars(cost, 1));
        } else {
            admission.reserve(tenantId, 1, clock.instant());
            giveBackRoom = () -> admission.unreserve(tenantId, 1);
        }
        boolean tookKey;
        try {
            tookKey = keys.take(job, clock.instant());
        } catch (RuntimeException refused) {
            giveBackRoom.run();
            throw refused;
        }
        Optional<Job> written;
        try {
            sendFirst.run();
            written = write.get();
        } catch (RuntimeException e) {
            undo(job, tookKey, giveBackRoom);
            throw e;
        }
        if (written.isEmpty()) {
            undo(job, tookKey, giveBackRoom);
            return written;
        }
        announce(moved(written.get(), from, cause, cost));
        return written;
    }

    /** A job entering QUEUED whose write did not happen: its room, and its key if this call took it, back. */
    private void undo(Job job, boolean tookKey, Runnable giveBackRoom) {
        if (tookKey) {
            keys.giveBack(job);
        }
        giveBackRoom.run();
    }

    // ---- chains: a WAITING job took its place in the quota (and its key) at its submission

    /**
     * WAITING to QUEUED: every job it depends on succeeded. Sending its message is the caller's. A batch flow's job
     * still pending is released only by its submission ({@code flowCommit}).
     */
    public Optional<Job> release(Job waiting, boolean flowCommit, Cause cause) {
        check(JobStatus.WAITING, JobStatus.QUEUED);
        Optional<Job> written = store.release(waiting.jobId(), flowCommit, clock.instant());
        written.ifPresent(job -> announce(moved(job, JobStatus.WAITING, cause, null)));
        return written;
    }

    /** WAITING to CANCELLED: with {@code error} when a job it depends on did not succeed, without when its tenant cancels it. */
    public Optional<Job> cancelWaiting(Job waiting, JobError error, Cause cause) {
        check(JobStatus.WAITING, JobStatus.CANCELLED);
        Optional<Job> written = store.cancelWaiting(waiting.jobId(), waiting.tenantId(), error, clock.instant());
        written.ifPresent(job -> announce(moved(job, JobStatus.WAITING, cause, null)));
        return written;
    }

    // ---- a worker's attempt

    /** Starts an attempt: QUEUED, or RUNNING under an expired lease (a takeover), to RUNNING under {@code lease}. */
    public Optional<JobStore.Claim> claim(String jobId, Lease lease) {
        check(JobStatus.QUEUED, JobStatus.RUNNING);
        check(JobStatus.RUNNING, JobStatus.RUNNING);
        Instant now = clock.instant();
        Optional<JobStore.Claim> claimed = store.claim(jobId, lease, now);
        claimed.ifPresent(claim -> {
            boolean takeover = claim.previous() == JobStatus.RUNNING;
            Duration waited = !takeover && claim.queuedAt() != null ? Duration.between(claim.queuedAt(), now) : null;
            announce(new JobMoved(claim.job(), claim.previous(), JobStatus.RUNNING, Cause.WORKER, null, waited, null, takeover, now, false,
                    lease.owner()));
        });
        return claimed;
    }

    /** A claim whose attempt was not started goes back: RUNNING to QUEUED, the attempt and its holds given back. */
    public Optional<Job> giveBack(Job claimed, Lease lease) {
        check(JobStatus.RUNNING, JobStatus.QUEUED);
        Instant now = clock.instant();
        Optional<Job> written = store.giveBack(claimed, lease, now);
        written.ifPresent(after -> announce(new JobMoved(after, JobStatus.RUNNING, JobStatus.QUEUED, Cause.CLAIM_GIVEN_BACK,
                null, null, null, false, now, false, lease.owner())));
        return written;
    }

    public Optional<Job> succeed(Job job, Lease lease, String resultJson, Progress progress, JobCost cost, Duration ran) {
        return attemptEnded(job, lease, JobStatus.SUCCEEDED, cost, ran,
                () -> store.succeed(job.jobId(), lease.owner(), resultJson, progress, cost, clock.instant()));
    }

    public Optional<Job> fail(Job job, Lease lease, JobError error, JobCost cost, Duration ran) {
        return attemptEnded(job, lease, JobStatus.FAILED, cost, ran,
                () -> store.fail(job.jobId(), lease.owner(), error, cost, clock.instant()));
    }

    /** The handler saw the cancel request and stopped: RUNNING to CANCELLED. */
    public Optional<Job> cancelRunning(Job job, Lease lease, JobCost cost, Duration ran) {
        return attemptEnded(job, lease, JobStatus.CANCELLED, cost, ran,
                () -> store.cancelRunning(job.jobId(), lease.owner(), cost, clock.instant()));
    }

    /** The attempt failed and another one will follow at {@code nextAttemptAt}: RUNNING back to QUEUED. */
    public Optional<Job> awaitRetry(Job job, Lease lease, JobError error, Instant nextAttemptAt, JobCost cost, Duration ran) {
        return attemptEnded(job, lease, JobStatus.QUEUED, cost, ran,
                () -> store.awaitRetry(job.jobId(), lease.owner(), error, nextAttemptAt, cost, clock.instant()));
    }

    private Optional<Job> attemptEnded(Job job, Lease lease, JobStatus to, JobCost cost, Duration ran, Supplier<Optional<Job>> write) {
        check(JobStatus.RUNNING, to);
        Optional<Job> written = write.get();
        written.ifPresent(after -> announce(new JobMoved(after, JobStatus.RUNNING, to, Cause.WORKER, cost, null, ran, false,
                clock.instant(), false, lease.owner())));
        return written;
    }

    // ---- cancels

    /** A tenant cancels its QUEUED job: it ends at once. */
    public Optional<Job> cancelQueued(String jobId, String tenantId) {
        check(JobStatus.QUEUED, JobStatus.CANCELLED);
        Optional<Job> written = store.cancelQueuedNow(jobId, tenantId, clock.instant());
        written.ifPresent(job -> announce(moved(job, JobStatus.QUEUED, Cause.TENANT, null)));
        return written;
    }

    /** A worker receives a QUEUED job whose cancel was requested: it ends without running. */
    public Optional<Job> cancelRequested(String jobId) {
        check(JobStatus.QUEUED, JobStatus.CANCELLED);
        Optional<Job> written = store.cancelQueued(jobId, clock.instant());
        written.ifPresent(job -> announce(moved(job, JobStatus.QUEUED, Cause.WORKER, null)));
        return written;
    }

    // ---- recoveries

    /** A RUNNING job whose lease expired, with no attempts left, ends FAILED (a worker or the sweeper found it). */
    public Optional<Job> failExpired(DueJob job, JobError error, Cause cause) {
        check(JobStatus.RUNNING, JobStatus.FAILED);
        Optional<Job> written = store.failExpired(job, error, clock.instant());
        written.ifPresent(after -> announce(new JobMoved(after, JobStatus.RUNNING, JobStatus.FAILED, cause, null, null, null,
                true, clock.instant(), false, null)));
        return written;
    }

    /** The sweeper: a RUNNING job whose lease expired, and whose own message did not bring it back, goes back to QUEUED. */
    public Optional<Job> requeueExpired(DueJob job, JobError error, Cause cause) {
        check(JobStatus.RUNNING, JobStatus.QUEUED);
        Optional<Job> written = store.requeueExpired(job, error, clock.instant());
        written.ifPresent(after -> announce(new JobMoved(after, JobStatus.RUNNING, JobStatus.QUEUED, cause, null, null,
                null, true, clock.instant(), false, null)));
        return written;
    }

    /** The dead-letter consumer: the job (QUEUED, or RUNNING under an expired lease) ends FAILED with the reason. */
    public Optional<Job> failDeadLettered(Job job, JobError error) {
        check(job.status(), JobStatus.FAILED);
        Optional<Job> written = store.failDeadLettered(job.jobId(), job.status(), error, clock.instant());
        // a running attempt's end: its holds go back with it
        String attempt = job.status() == JobStatus.RUNNING ? job.leaseOwner() : null;
        written.ifPresent(after -> announce(new JobMoved(after, job.status(), JobStatus.FAILED, Cause.DEAD_LETTER, null, null, null,
                false, clock.instant(), false, attempt)));
        return written;
    }

    /**
     * A redelivery of the message whose attempt ended the job: that invocation did not finish, so the counts of the
     * end may never have been written. Told again, once (a conditional write marks it); the counts take it up.
     */
    public Optional<Job> recountEnd(Job job) {
        if (job.endedBy() == null || !job.status().isTerminal()) {
            return Optional.empty();
        }
        Optional<Job> marked = store.recountEnd(job.jobId(), job.endedBy(), clock.instant());
        marked.ifPresent(after -> announce(new JobMoved(after, JobStatus.RUNNING, after.status(), Cause.WORKER, null, null, null,
                false, clock.instant(), true, null)));
        return marked;
    }

    /** The end of an invocation: every listener writes what it collected. */
    public void flush() {
        for (JobListener listener : listeners) {
            try {
                listener.flush();
            } catch (RuntimeException e) {
                Log.error("lifecycle.flush_failed", e, "listener", listener.getClass().getSimpleName());
            }
        }
    }

    private JobMoved moved(Job after, JobStatus from, Cause cause, JobCost cost) {
        return new JobMoved(after, from, after.status(), cause, cost, null, null, false, clock.instant(), false, null);
    }

    /** The transition table, before any write. */
    private static void check(JobStatus from, JobStatus to) {
        if (from == null ? !JobStatus.canStartAs(to) : !from.canMoveTo(to)) {
            throw new IllegalTransition(from, to);
        }
    }

    private void announce(JobMoved event) {
        for (JobListener listener : listeners) {
            try {
                listener.moved(event);
            } catch (RuntimeException e) {
                // one listener's failure takes nothing from the others, nor from the write that was made
                Log.error("lifecycle.listener_failed", e, "listener", listener.getClass().getSimpleName(),
                        "jobId", event.job().jobId());
            }
        }
    }
}
