package dev.jobline.worker;

import dev.jobline.lambda.Deadline;
import dev.jobline.cost.CostModel;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.json.Json;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.lifecycle.RunningLimits;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.lambda.ParallelBatch;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.DueJob;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.store.TypePauses;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Runs the jobs named by one batch of queue messages: claim, run, record. Returns the ids of the
 * messages the queue should deliver again; every other message is done with (ran, or needs nothing).
 */
public final class Worker {
    /** An attempt is not started with less time than this before the safety margin. */
    private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);
    /** A message that waits out another attempt's lease arrives this long after it ends, so the claim finds it over. */
    private static final Duration LEASE_END_GRACE = Duration.ofSeconds(1);
    /** How long an interrupted handler gets to stop before the worker moves on without it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    /** A message whose job waits for a full limit is replaced by a fresh one from this receive on, so it never reaches redrive. */
    static final int WAITS_BEFORE_FRESH_MESSAGE = 10;
    /** The longest a waiting job's message stays away before it looks again. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    /** A claim with less than this part of its lease left is not started (see claimCameLate). */
    private static final int LATE_CLAIM_FRACTION = 4;
    /**
     * Every message is sent before the write it announces (a submission, a retry, a release): one younger than this may
     * still be ahead of that write, so a job that is missing, WAITING or ended is not taken as final until then. The
     * write follows its send in the same invocation, one call later: it lands within the SDK's call timeouts or never.
     */
    static final Duration WRITE_GRACE = Duration.ofSeconds(60);

    private final JobLifecycle lifecycle;
    private final RunningLimits limits;
    private final JobStore store;
    private final JobQueue queue;
    private final JobRegistry registry;
    private final Clock clock;
    private final WorkerSettings settings;
    private final RandomGenerator random;
    private final CostModel costs;
    private final ExecutorService threads = Executors.newCachedThreadPool(daemon("jobline-handler"));
    private final ParallelBatch batch;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("jobline-heartbeat"));
    private final TypePauses pauses;
    private final Duration pausedRecheck;

    /** @param store for reading jobs and the heartbeat's writes; every status change goes through {@code lifecycle} */
    public Worker(JobLifecycle lifecycle, JobStore store, JobQueue queue, JobRegistry registry, WorkerSettings settings,
                  RandomGenerator random) {
        this(lifecycle, RunningLimits.NONE, store, queue, registry, settings, random, TypePauses.NONE, Duration.ofSeconds(30));
    }

    /** @param limits held before a claim, for as long as the attempt's lease (its end gives them back: a listener) */
    public Worker(JobLifecycle lifecycle, RunningLimits limits, JobStore store, JobQueue queue, JobRegistry registry,
                  WorkerSettings settings, RandomGenerator random) {
        this(lifecycle, limits, store, queue, registry, settings, random, TypePauses.NONE, Duration.ofSeconds(30));
    }

    /**
     * @param limits        held before a claim, for as long as the attempt's lease (its end gives them back: a listener)
     * @param pauses        the types an operator paused: their messages are held, not claimed
     * @param pausedRecheck how long a paused type's message stays away before it is looked at again
     */
    public Worker(JobLifecycle lifecycle, RunningLimits limits, JobStore store, JobQueue queue, JobRegistry registry,
                  WorkerSettings settings, RandomGenerator random, TypePauses pauses, Duration pausedRecheck) {
        this.pauses = pauses;
        this.pausedRecheck = pausedRecheck;
        this.lifecycle = lifecycle;
        this.limits = limits;
        this.store = store;
        this.queue = queue;
        this.registry = registry;
        this.clock = lifecycle.clock();
        this.settings = settings;
        this.random = random;
        this.costs = new CostModel(settings.memoryMb());
        this.batch = new ParallelBatch("jobline-worker", settings.parallelism(), "message.failed");
    }

    /**
     * One attempt in progress: when it was claimed, how many records shared its invocation (its cost's shares), and
     * the most compute it can be billed for (the invocation's time left at the claim: Lambda stops billing there).
     */
    private record Attempt(Instant claimedAt, int batchSize, Duration mostBillable) {
    }

    /** @param invocationId names the attempt's lease owner together with the message id */
    public List<String> process(List<ReceivedMessage> messages, String invocationId, Deadline deadline) {
        // the running limits' places for the whole batch at once, given back when it is done
        List<RunningLimits.Runs> records = new ArrayList<>();
        for (ReceivedMessage message : messages) {
            String tenantId = message.attributes().get(JobMessage.TENANT_ATTRIBUTE);
            String type = message.attributes().get(JobMessage.TYPE_ATTRIBUTE);
            if (tenantId != null && type != null) {
                records.add(new RunningLimits.Runs(tenantId, type));
            }
        }
        Instant now = clock.instant();
        Instant batchLeaseEnd = now.plus(settings.lease());
        RunningLimits.BatchHold held = limits.holdBatch(invocationId, records, batchLeaseEnd, now);
        // the records' leases end with the batch's hold, not after it: a lease that outlived the places it runs under
        // would let another worker take them while its attempt still runs (heartbeats move both on)
        Instant leaseEnd = held.holdsAny() ? batchLeaseEnd : null;
        List<String> redeliver;
        try {
            redeliver = batch.run(messages, message -> processOne(message, invocationId, deadline, messages.size(), leaseEnd));
        } finally {
            held.release();
        }
        lifecycle.flush();
        return redeliver;
    }

    /** True when the message is done with; false when the queue should deliver it again. */
    /** @param leaseEnd when the attempt's lease ends (the batch's hold's end); null: a lease's length from now */
    private boolean processOne(ReceivedMessage message, String invocationId, Deadline deadline, int batchSize, Instant leaseEnd) {
        Optional<String> jobId = JobMessage.jobIdFrom(message.body());
        if (jobId.isEmpty()) {
            // left to SQS's redrive, soon: the dead-letter queue keeps it whole
            Log.warn("message.unreadable", "messageId", message.messageId(), "receiveCount", message.receiveCount());
            releaseSoon(message);
            return false;
        }
        Log.putContext("jobId", jobId.get());
        String messageType = message.attributes().get(JobMessage.TYPE_ATTRIBUTE);
        if (messageType != null && pauses.paused().containsKey(messageType)) {
            return holdWhilePaused(message, messageType);
        }
        Instant now = clock.instant();
        Duration left = deadline.remaining().minus(settings.safetyMargin());
        if (left.compareTo(MIN_ATTEMPT) < 0) {
            Log.info("message.released", "reason", "invocation nearly out of time", "remainingMillis", deadline.remaining().toMillis());
            releaseSoon(message);
            return false;
        }
        Lease lease = new Lease(leaseOwner(invocationId, message), leaseEnd != null ? leaseEnd : now.plus(settings.lease()));
        Optional<Runs> runs = runsFor(jobId.get(), message);
        if (runs.isEmpty()) {
            return jobMissing(message, now);
        }
        // the limits first: a claim that then found them full would have spent an attempt
        Optional<String> full = limits.hold(lease.owner(), runs.get().tenantId(), runs.get().type(), lease.expiresAt(), now);
        if (full.isPresent()) {
            return limitFull(jobId.get(), full.get(), message, now);
        }
        Optional<JobStore.Claim> claimed = lifecycle.claim(jobId.get(), lease);
        if (claimed.isEmpty()) {
            limits.release(lease.owner(), runs.get().tenantId(), runs.get().type());
            return notClaimed(jobId.get(), message, now);
        }
        Job job = claimed.get().job();
        if (clock.instant().isAfter(lease.expiresAt().minus(settings.lease().dividedBy(LATE_CLAIM_FRACTION)))) {
            return claimCameLate(job, lease, message);
        }
        if (!job.tenantId().equals(runs.get().tenantId()) || !job.type().equals(runs.get().type())) {
            // only Jobline sends to its queues: a message naming another tenant or type than its job's is a bug
            Log.error("message.attributes_wrong", null, "messageTenantId", runs.get().tenantId(), "messageType", runs.get().type());
        }
        Attempt attempt = new Attempt(now, batchSize, deadline.remaining());
        Log.putContext("tenantId", job.tenantId());
        Log.putContext("type", job.type());
        Log.putContext("attempt", job.attempts());
        Optional<JobType> type = registry.find(job.type());
        if (type.isEmpty()) {
            return finishFailed(job, lease, new JobError(JobError.UNKNOWN_TYPE, "no handler is registered for type '" + job.type() + "'", false),
                    ended(attempt, 0, 0, false));
        }
        return runAttempt(job, type.get(), lease, message, left, attempt);
    }

    /**
     * The claim landed with less than a quarter of its lease left: the store or this machine stalled between the
     * receive and the claim. The limit holds taken with the lease run out with it (another worker may already have
     * removed them and taken the places), and another attempt may take the job over soon. So the attempt is not
     * started: the claim is given back (the job QUEUED again, its attempt not counted) and the message returns shortly.
     */
    private boolean claimCameLate(Job job, Lease lease, ReceivedMessage message) {
        Log.warn("job.claim_came_late", "leaseExpiresAt", lease.expiresAt().toString());
        if (lifecycle.giveBack(job, lease).isEmpty()) {
            // the lease ran out and another attempt took the job: its message is that attempt's to settle
            limits.release(lease.owner(), job.tenantId(), job.type());
            return false;
        }
        releaseSoon(message);
        return false;
    }

    /**
     * The claim was refused: decide from the job as it is now. A message is acknowledged only when nothing more can
     * come of it (the job ended, or this call ended it) or when a replacement now carries the job; otherwise it goes
     * back to the queue. A message deleted while its job is still QUEUED or RUNNING would leave that job to the sweeper.
     */
    private boolean notClaimed(String jobId, ReceivedMessage message, Instant now) {
        Optional<Job> current = store.find(jobId);
        if (current.isEmpty()) {
            return jobMissing(message, now);
        }
        return notClaimed(current.get(), message, now);
    }

    /**
     * No job has the message's id (read consistently). A young message may be ahead of its job's write: it comes back
     * shortly. An older one names a job whose write never happened (its sender died, or the write was refused and the
     * caller told so) or one that expired: it is dropped, there is nothing to run.
     */
    private boolean jobMissing(ReceivedMessage message, Instant now) {
        if (aheadOfItsWrite(message, null, now)) {
            return false;
        }
        Log.warn("message.job_never_written", "sentAt", sentAt(message).map(Instant::toString).orElse(null));
        return true;
    }

    /**
     * True when the message may have been sent before a write that has not landed yet, and is younger than
     * {@link #WRITE_GRACE}: it goes back to the queue for a few seconds (more with each receive, never past the grace),
     * and the decision waits for the write. Such a message names a job that is missing (a submission's), or one still
     * ended or WAITING below the version its write makes (a retry's, a release's: {@link JobMessage#writeVersion}).
     */
    private boolean aheadOfItsWrite(ReceivedMessage message, Job job, Instant now) {
        if (job != null) {
            long expected = writeVersion(message);
            boolean notYetMoved = job.status() == JobStatus.WAITING || job.status().isTerminal();
            if (expected == 0 || !notYetMoved || (job.version() >= expected && job.status() != JobStatus.WAITING)) {
                return false;
            }
        }
        Optional<Instant> sent = sentAt(message);
        if (sent.isEmpty()) {
            return false;
        }
        Duration age = Duration.between(sent.get(), now);
        if (age.compareTo(WRITE_GRACE) >= 0) {
            return false;
        }
        long seconds = Math.min(1L << Math.min(Math.max(message.receiveCount(), 1) - 1, 5), WRITE_GRACE.minus(age).toSeconds() + 1);
        Log.info("message.ahead_of_write", "ageMillis", age.toMillis(), "backInSeconds", seconds);
        hideQuietly(message, Duration.ofSeconds(Math.max(1, seconds)));
        return true;
    }

    private static long writeVersion(ReceivedMessage message) {
        String version = message.attributes().get(JobMessage.WRITE_VERSION_ATTRIBUTE);
        try {
            return version == null ? 0 : Long.parseLong(version);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<Instant> sentAt(ReceivedMessage message) {
        String sent = message.attributes().get("SentTimestamp");
        try {
            return sent == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(sent)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean notClaimed(Job job, ReceivedMessage message, Instant now) {
        if (aheadOfItsWrite(message, job, now)) {
            // a retry's or a release's message, come before the write it announces
            return false;
        }
        if (job.status().isTerminal()) {
            if (endedByAnEarlierReceiveOf(job, message)) {
                // an earlier receive of this very message ended the job, yet the message came back: that invocation
                // never finished, and the counts it would have written at its end went with it
                lifecycle.recountEnd(job);
            } else {
                Log.info("job.duplicate_delivery", "status", job.status());
            }
            return true;
        }
        if (job.status() == JobStatus.QUEUED) {
            return notClaimedWhileQueued(job, message, now);
        }
        if (job.status() == JobStatus.WAITING) {
            // an old message of a job that waits for its parents: its release sends a new one
            Log.info("job.waiting_for_parents", "dependsOn", job.dependsOn());
            return true;
        }
        if (job.hasLiveLease(now)) {
            return handOver(job, message, now);
        }
        if (!job.attemptsLeft()) {
            return failCrashedLastAttempt(job, message, now);
        }
        // an expired lease with attempts left, yet the claim lost: another worker has just taken it over
        releaseSoon(message);
        return false;
    }

    /** Whose job a message names, and of which type: what decides the limits its attempt runs under. */
    private record Runs(String tenantId, String type) {
    }

    /** From the message's attributes (Jobline's sends set both); from the job itself for a message without them. */
    private Optional<Runs> runsFor(String jobId, ReceivedMessage message) {
        String tenantId = message.attributes().get(JobMessage.TENANT_ATTRIBUTE);
        String type = message.attributes().get(JobMessage.TYPE_ATTRIBUTE);
        if (tenantId != null && type != null) {
            return Optional.of(new Runs(tenantId, type));
        }
        return store.find(jobId).map(job -> new Runs(job.tenantId(), job.type()));
    }

    /**
     * A limit the attempt would run under is full. A job that could start now waits for it without spending an
     * attempt: it shows why, and its message comes back after a short jittered delay that grows with each wait (from
     * {@link #WAITS_BEFORE_FRESH_MESSAGE} waits on, as a fresh message, whose receive count starts again, so waiting
     * never sends a job to the dead-letter queue). Any other job is decided as if its claim had lost.
     */
    private boolean limitFull(String jobId, String reason, ReceivedMessage message, Instant now) {
        Optional<Job> current = store.find(jobId);
        if (current.isEmpty()) {
            return jobMissing(message, now);
        }
        Job job = current.get();
        boolean couldStart = job.status() == JobStatus.QUEUED
                ? !job.cancelRequested() && (job.nextAttemptAt() == null || !job.nextAttemptAt().isAfter(now))
                : job.status() == JobStatus.RUNNING && !job.hasLiveLease(now) && job.attemptsLeft();
        if (!couldStart) {
            return notClaimed(job, message, now);
        }
        if (job.status() == JobStatus.RUNNING) {
            // a crashed attempt's job: no longer running, it waits QUEUED like any other (its message stays with it)
            JobError expired = new JobError(JobError.LEASE_EXPIRED,
                    "attempt " + job.attempts() + " stopped without finishing (lease expired)", true);
            job = lifecycle.requeueExpired(DueJob.of(job), expired, Cause.WORKER).orElse(job);
        }
        if (job.status() == JobStatus.QUEUED && !reason.equals(job.waitingFor())) {
            store.markWaiting(jobId, reason, now);
        }
        int waits = Math.max(1, message.receiveCount());
        long mostMillis = Math.min(MAX_WAIT.toMillis(), 1000L << Math.min(waits, 5));
        Duration delay = Duration.ofMillis(random.nextLong(500, mostMillis + 1));
        Log.info("job.waiting", "waitingFor", reason, "delayMillis", delay.toMillis());
        if (waits >= WAITS_BEFORE_FRESH_MESSAGE) {
            try {
                queue.send(JobMessage.arrivingAt(job, now.plus(delay), now));
                return true;
            } catch (JobQueue.QueueUnavailable e) {
                Log.warn("job.wait_message_not_replaced", "reason", e.getMessage());
            }
        }
        hideQuietly(message, delay);
        return false;
    }

    /**
     * The message's type is paused: nothing is claimed and no attempt spent. A copy that comes back after the recheck
     * delay replaces it (a fresh message, whose receive count starts again: a long pause never sends a job to the
     * dead-letter queue), and this one is acknowledged. If the copy cannot be sent, this message itself waits, which
     * spends one of its receives.
     */
    private boolean holdWhilePaused(ReceivedMessage message, String type) {
        try {
            queue.resend(message, pausedRecheck);
            Log.info("job.type_paused", "type", type, "recheckSeconds", pausedRecheck.toSeconds());
            return true;
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.type_paused", "type", type, "reason", e.getMessage());
            hideQuietly(message, pausedRecheck);
            return false;
        }
    }

    /** An attempt's lease owner: the invocation that runs it, and which receive of which message brought the job. */
    private static String leaseOwner(String invocationId, ReceivedMessage message) {
        return invocationId + "/" + message.messageId() + "#" + message.receiveCount();
    }

    /**
     * The job was ended by an attempt that a receive of this same message started, and this is a later receive: the
     * message was not deleted after that attempt's end, so its invocation did not finish. (The same receive handed
     * over twice, or another message, says nothing of the kind.)
     */
    private static boolean endedByAnEarlierReceiveOf(Job job, ReceivedMessage message) {
        String endedBy = job.endedBy();
        String marker = "/" + message.messageId() + "#";
        int at = endedBy == null ? -1 : endedBy.lastIndexOf(marker);
        if (at < 0) {
            return false;
        }
        try {
            return Integer.parseInt(endedBy.substring(at + marker.length())) < message.receiveCount();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private boolean notClaimedWhileQueued(Job job, ReceivedMessage message, Instant now) {
        if (job.cancelRequested()) {
            if (lifecycle.cancelRequested(job.jobId()).isEmpty()) {
                releaseSoon(message);
                return false;
            }
            return true;
        }
        if (job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(now)) {
            // a copy that came before the retry's backoff ended: back until then
            Log.info("job.not_due", "nextAttemptAt", job.nextAttemptAt());
            hideQuietly(message, Duration.between(now, job.nextAttemptAt()).plusSeconds(1));
            return false;
        }
        // the claim lost to another worker's and the job moved on since: look again soon
        releaseSoon(message);
        return false;
    }

    /**
     * Another attempt holds the job under a live lease. Its holder may still die, and this message may be the one that
     * would bring the job back: so it is not dropped, but replaced by one that arrives when the lease can have ended
     * (a fresh message, whose receive count starts again, so a long job's copies never reach the dead-letter queue).
     * If the send fails, the message itself waits out the lease.
     */
    private boolean handOver(Job job, ReceivedMessage message, Instant now) {
        JobMessage replacement = JobMessage.arrivingAt(job, job.leaseExpiresAt().plus(LEASE_END_GRACE), now);
        try {
            queue.send(replacement);
            Log.info("job.lease_held", "leaseExpiresAt", job.leaseExpiresAt(), "handedOverForSeconds", replacement.delay().toSeconds());
            return true;
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.lease_held", "leaseExpiresAt", job.leaseExpiresAt(), "reason", e.getMessage());
            hideQuietly(message, Duration.between(now, job.leaseExpiresAt().plus(LEASE_END_GRACE)));
            return false;
        }
    }

    /** A crashed attempt was the last one: the job ends here, with why, rather than waiting for the sweeper. */
    private boolean failCrashedLastAttempt(Job job, ReceivedMessage message, Instant now) {
        JobError expired = new JobError(JobError.LEASE_EXPIRED,
                "attempt " + job.attempts() + " stopped without finishing (lease expired)", true);
        if (lifecycle.failExpired(DueJob.of(job), expired.asFinal(JobError.ATTEMPTS_EXHAUSTED), Cause.WORKER).isEmpty()) {
            releaseSoon(message);
            return false;
        }
        return true;
    }

    private boolean runAttempt(Job job, JobType type, Lease lease, ReceivedMessage message, Duration invocationLeft,
                               Attempt attempt) {
        Duration typeLimit = job.timeoutSeconds() > 0 ? Duration.ofSeconds(job.timeoutSeconds()) : type.timeout();
        boolean limitedByInvocation = invocationLeft.compareTo(typeLimit) < 0;
        Duration budget = limitedByInvocation ? invocationLeft : typeLimit;
        Instant started = clock.instant();
        RunningJob running = new RunningJob(job, clock, started.plus(budget), store::findAll);
        Map<String, Object> jobContext = Log.context();
        // the handler's own log lines carry the job's keys too
        Future<Object> result = threads.submit(() -> {
            Log.restoreContext(jobContext);
            try {
                return type.handler().run(running);
            } finally {
                Log.clearContext();
            }
        });
        Outcome outcome;
        int heartbeatWrites;
        int leaseExtensions;
        // a longer lease holds the attempt's limits for longer too
        Consumer<Lease> extended = next -> limits.extend(next.owner(), job.tenantId(), job.type(), next.expiresAt(), clock.instant());
        try (Heartbeat heartbeat = new Heartbeat(heartbeats, store, queue, clock, settings, running, lease,
                message, () -> result.cancel(true), extended)) {
            outcome = await(result, budget, limitedByInvocation);
            heartbeat.close();
            lease = heartbeat.lease();
            heartbeatWrites = heartbeat.writes();
            leaseExtensions = heartbeat.extensions();
        }
        Log.putContext("durationMillis", Duration.between(started, clock.instant()).toMillis());
        if (outcome.leaseLost) {
            // the job is another attempt's now; its message may be the one that attempt relies on: leave it be
            Log.warn("job.attempt_abandoned", "reason", "lease lost");
            return false;
        }
        if (running.isCancelRequested()) {
            Ended ended = ended(attempt, heartbeatWrites, leaseExtensions, false);
            return lifecycle.cancelRunning(job, lease, ended.cost(), ended.ran()).isPresent() || leaseLost();
        }
        if (outcome.error == null) {
            return finishSucceeded(job, lease, outcome.value, running, attempt, heartbeatWrites, leaseExtensions);
        }
        boolean willRetry = outcome.error.retryable() && job.attemptsLeft();
        return recordFailure(job, type, lease, message, outcome.error,
                ended(attempt, heartbeatWrites, leaseExtensions, willRetry));
    }

    /** How long an attempt ran, as billed, and what it cost (see {@link CostModel}): both go with the write that ends it. */
    private record Ended(Duration ran, JobCost cost) {
    }

    private Ended ended(Attempt attempt, int heartbeatWrites, int leaseExtensions, boolean retried) {
        Duration ran = Duration.between(attempt.claimedAt(), clock.instant());
        if (ran.compareTo(attempt.mostBillable()) > 0) {
            // a worker frozen past its invocation's end (locally: a stopped process) is not billed beyond it
            ran = attempt.mostBillable();
        }
        return new Ended(ran, costs.attempt(ran, attempt.batchSize(), heartbeatWrites, leaseExtensions, retried));
    }

    private Outcome await(Future<Object> result, Duration budget, boolean limitedByInvocation) {
        try {
            return Outcome.success(result.get(budget.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            result.cancel(true);
            waitForStop(result);
            String why = limitedByInvocation ? "the invocation ran out of time after " : "the job's timeout of ";
            return Outcome.failure(new JobError(JobError.TIMED_OUT, why + budget.toSeconds() + " s", true));
        } catch (CancellationException e) {
            return Outcome.lost();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof JobFailure failure) {
                return Outcome.failure(failure.toError());
            }
            return Outcome.failure(new JobError(JobError.HANDLER_ERROR, cause.getClass().getSimpleName() + ": " + cause.getMessage(), true));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            return Outcome.failure(new JobError(JobError.TIMED_OUT, "the worker was interrupted", true));
        }
    }

    private static void waitForStop(Future<Object> result) {
        try {
            result.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // cancelled futures throw at once; a handler that ignores interrupts is left behind
        }
    }

    private boolean finishSucceeded(Job job, Lease lease, Object value, RunningJob running, Attempt attempt,
                                    int heartbeatWrites, int leaseExtensions) {
        Ended ended = ended(attempt, heartbeatWrites, leaseExtensions, false);
        String resultJson;
        try {
            resultJson = Json.write(value);
        } catch (IllegalArgumentException e) {
            return finishFailed(job, lease, new JobError("RESULT_NOT_JSON", e.getMessage(), false), ended);
        }
        if (resultJson.getBytes(StandardCharsets.UTF_8).length > settings.maxResultBytes()) {
            return finishFailed(job, lease, new JobError(JobError.RESULT_TOO_LARGE,
                    "the result is larger than " + settings.maxResultBytes() + " bytes", false), ended);
        }
        return lifecycle.succeed(job, lease, resultJson, running.latestProgress(), ended.cost(), ended.ran()).isPresent()
                || leaseLost();
    }

    private boolean recordFailure(Job job, JobType type, Lease lease, ReceivedMessage message, JobError error, Ended ended) {
        if (!error.retryable()) {
            return finishFailed(job, lease, error, ended);
        }
        if (!job.attemptsLeft()) {
            return finishFailed(job, lease, error.asFinal(JobError.ATTEMPTS_EXHAUSTED), ended);
        }
        Duration delay = type.retryPolicy().delayAfter(job.attempts(), random);
        Instant nextAttemptAt = clock.instant().plus(delay);
        if (lifecycle.awaitRetry(job, lease, error, nextAttemptAt, ended.cost(), ended.ran()).isEmpty()) {
            return leaseLost();
        }
        return keepForRetry(job, message, delay, nextAttemptAt);
    }

    /**
     * The job waits QUEUED for its next attempt: its message must bring it back. Hiding this message for the backoff
     * is the cheap way; when that fails (its receipt handle is stale after another receive, or SQS did not answer), a
     * replacement is sent, delayed as far as SQS allows (an early one waits again: the claim checks nextAttemptAt).
     * Only if that fails too does the message go back as it is, to return when its visibility ends.
     */
    private boolean keepForRetry(Job job, ReceivedMessage message, Duration delay, Instant nextAttemptAt) {
        try {
            queue.hide(message, delay);
            return false;
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.backoff_not_set", "reason", e.getMessage());
        }
        JobMessage replacement = JobMessage.arrivingAt(job, nextAttemptAt, clock.instant());
        try {
            queue.send(replacement);
            Log.info("job.retry_message_replaced", "delaySeconds", replacement.delay().toSeconds());
            return true;
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.retry_message_not_replaced", "reason", e.getMessage());
            return false;
        }
    }

    /**
     * A write under this attempt's lease was refused: another attempt holds the job now (or has ended it). This
     * message is left as it is, neither deleted nor moved: it may be the one the other attempt relies on.
     */
    private static boolean leaseLost() {
        Log.warn("job.completion_refused", "reason", "lease no longer held");
        return false;
    }

    private boolean finishFailed(Job job, Lease lease, JobError error, Ended ended) {
        return lifecycle.fail(job, lease, error, ended.cost(), ended.ran()).isPresent() || leaseLost();
    }

    private void releaseSoon(ReceivedMessage message) {
        hideQuietly(message, Duration.ofSeconds(random.nextInt(1, 4)));
    }

    /** A message that goes back to the queue for this long; if SQS does not answer, it comes back when its visibility ends. */
    private void hideQuietly(ReceivedMessage message, Duration visibility) {
        try {
            queue.hide(message, visibility);
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("message.release_failed", "reason", e.getMessage());
        }
    }

    private record Outcome(Object value, JobError error, boolean leaseLost) {
        static Outcome success(Object value) {
            return new Outcome(value, null, false);
        }

        static Outcome failure(JobError error) {
            return new Outcome(null, error, false);
        }

        static Outcome lost() {
            return new Outcome(null, null, true);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
