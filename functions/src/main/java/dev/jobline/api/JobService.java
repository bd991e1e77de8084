package dev.jobline.api;

import dev.jobline.cost.CostModel;
import dev.jobline.cost.CostTotals;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.SqsLimits;
import dev.jobline.store.JobFilter;
import dev.jobline.store.JobStore;
import java.util.function.Predicate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a tenant can do with jobs: submit (one or many), read, list, cancel, retry. Every change is a transition of
 * the {@link JobLifecycle}; refusals are {@link Refusal}s, which only the API turns into answers. A job is written first
 * and then sent; a lost send leaves a QUEUED job the sweeper sends later. Every write names the tenant, so one
 * tenant's request can never touch another's job.
 */
public final class JobService {
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final JobQueue queue;

    public JobService(JobLifecycle lifecycle, JobStore store, JobQueue queue) {
        this.lifecycle = lifecycle;
        this.store = store;
        this.queue = queue;
    }

    /**
     * A submission's outcome: the job, and whether this call created it (false: a repeat of an earlier submission
     * with the same Idempotency-Key, or, with {@code keyHolder}, the job that holds the concurrency key).
     */
    record Submitted(Job job, boolean created, boolean keyHolder) {
        Submitted(Job job, boolean created) {
            this(job, created, false);
        }

        /** What the Jobline-Submit-Outcome header says: created, repeated, or existing. */
        String outcome() {
            return created ? "created" : keyHolder ? "existing" : "repeated";
        }
    }

    /**
     * Writes and sends a new job. With an idempotency key, a job already under the derived id is either this same
     * request repeated within the window (returned as it is), a different request ({@link Refusal.IdempotencyConflict}),
     * or an old finished one whose window has passed (replaced). Whatever is refused gives back the room it took.
     */
    Submitted submit(String tenantId, SubmitRequest request, String idempotencyKey) {
        Instant now = lifecycle.clock().instant();
        JobCost cost = CostModel.submit(1);
        Job job = newJob(tenantId, request, idempotencyKey, now).withCost(CostTotals.of(cost));
        Optional<Job> created;
        try {
            created = lifecycle.create(job, cost);
        } catch (Refusal.KeyConflict conflict) {
            // the Idempotency-Key is checked first: with its job stored, this is that job's request again (or a
            // reuse), whatever holds the concurrency key now
            if (idempotencyKey == null || store.find(job.jobId()).isEmpty()) {
                return keyHolder(conflict, request);
            }
            created = Optional.empty();
        }
        if (created.isEmpty()) {
            if (idempotencyKey == null) {
                throw new IllegalStateException("job id " + job.jobId() + " is already taken");
            }
            Optional<Job> repeat;
            try {
                repeat = repeatOrReplaced(job, cost, now);
            } catch (Refusal.KeyConflict conflict) {
                // a new job in place of an old finished one meets the key as any other new job does
                return keyHolder(conflict, request);
            }
            if (repeat.isPresent()) {
                return new Submitted(repeat.get(), false);
            }
        }
        send(job, now);
        return new Submitted(job, true);
    }

    /** The job that holds the key, for onConflict returnExisting; else the conflict. */
    private Submitted keyHolder(Refusal.KeyConflict conflict, SubmitRequest request) {
        Optional<Job> existing = request.returnExisting() ? existing(conflict) : Optional.empty();
        return new Submitted(existing.orElseThrow(() -> conflict), false, true);
    }

    /** The job an idempotency key created earlier, when this is the same request; empty when it was replaced now. */
    private Optional<Job> repeatOrReplaced(Job job, JobCost cost, Instant now) {
        Job existing = store.find(job.jobId()).orElseThrow(() -> new IllegalStateException("job " + job.jobId() + " vanished"));
        Instant windowStart = now.minus(Idempotency.WINDOW);
        if (existing.createdAt().isAfter(windowStart)) {
            if (job.requestHash().equals(existing.requestHash())) {
                return Optional.of(existing);
            }
            throw new Refusal.IdempotencyConflict(false);
        }
        if (lifecycle.replaceFinished(job, windowStart, cost).isPresent()) {
            return Optional.empty();
        }
        throw new Refusal.IdempotencyConflict(true);
    }

    /**
     * The job that holds a conflicting key, for onConflict returnExisting: as read, or, when its own submission was
     * still being written, read again for up to a second (empty if it still is not there: never an id not stored).
     */
    private Optional<Job> existing(Refusal.KeyConflict conflict) {
        if (conflict.holder() != null) {
            return Optional.of(conflict.holder());
        }
        for (int tries = 0; tries < 5; tries++) {
            Optional<Job> holder = store.find(conflict.holderId());
            if (holder.isPresent()) {
                return holder;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * One item of a batch: its job, or why it was kept out (a problem of its own, or not stored). {@code existing}: the
     * job is another one, which holds the item's concurrency key (asked for with onConflict returnExisting).
     */
    record BatchItem(Job job, Problem problem, boolean existing) {
        BatchItem(Job job, Problem problem) {
            this(job, problem, false);
        }
    }

    /** Stores every valid item, then sends them in as few calls as SQS allows; one bad item sinks nothing else. */
    List<BatchItem> submitAll(String tenantId, List<Object> items, java.util.function.Function<Object, SubmitRequest> parse) {
        Instant now = lifecycle.clock().instant();
        List<BatchItem> results = new ArrayList<>(items.size());
        List<Job> valid = new ArrayList<>();
        List<SubmitRequest> requests = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (Object item : items) {
            try {
                SubmitRequest request = parse.apply(item);
                positions.add(results.size());
                valid.add(newJob(tenantId, request, null, now));
                requests.add(request);
                results.add(null);
            } catch (Problem problem) {
                results.add(new BatchItem(null, problem));
            }
        }
        if (valid.isEmpty()) {
            return results;
        }
        JobCost cost = CostModel.submit(valid.size());
        List<Job> priced = new ArrayList<>(valid.size());
        for (Job job : valid) {
            priced.add(job.withCost(CostTotals.of(cost)));
        }
        List<JobLifecycle.Admitted> written = lifecycle.createAll(tenantId, priced, cost);
        List<JobMessage> messages = new ArrayList<>();
        for (int k = 0; k < written.size(); k++) {
            JobLifecycle.Admitted admitted = written.get(k);
            BatchItem result;
            if (admitted.job() != null) {
                result = new BatchItem(admitted.job(), null);
                messageFor(admitted.job(), now).ifPresent(messages::add);
            } else if (admitted.conflict() != null) {
                Optional<Job> existing = requests.get(k).returnExisting() ? existing(admitted.conflict()) : Optional.empty();
                result = existing.map(holder -> new BatchItem(holder, null, true))
                        .orElseGet(() -> new BatchItem(null, Problems.of(admitted.conflict())));
            } else {
                result = new BatchItem(null, new Problem(503, "service-unavailable", "Service unavailable",
                        "this job could not be stored; submit it again"));
            }
            results.set(positions.get(k), result);
        }
        for (JobMessage unsent : messages.isEmpty() ? List.<JobMessage>of() : queue.sendAll(messages)) {
            Log.warn("job.send_deferred", "jobId", unsent.jobId(), "tenantId", tenantId);
        }
        Log.info("jobs.submitted_batch", "tenantId", tenantId, "accepted", messages.size(), "items", items.size());
        return results;
    }

    /** The tenant's job; {@link Refusal.NotFound} for another tenant's, as for one that does not exist. */
    Job find(String tenantId, String jobId) {
        return store.find(jobId).filter(job -> job.tenantId().equals(tenantId)).orElseThrow(() -> new Refusal.NotFound(jobId));
    }

    JobStore.JobPage list(String tenantId, Set<JobStatus> statuses, String type, int limit, String cursor) {
        return store.listByTenant(tenantId, statuses, type, limit, cursor);
    }

    /** The tenant's jobs the filter selects, newest first. */
    JobStore.JobPage list(String tenantId, JobFilter filter, int limit, String cursor) {
        return store.list(tenantId, filter, limit, cursor);
    }

    /** The jobs of every tenant that ever submitted one (an operator's view), newest first. */
    JobStore.JobPage listAllTenants(List<String> tenantIds, JobFilter filter, int limit, String cursor) {
        return store.listAcross(tenantIds, filter, limit, cursor);
    }

    /** Any tenant's job, for an operator; {@link Refusal.NotFound} when there is none. */
    Job findAny(String jobId) {
        return store.find(jobId).orElseThrow(() -> new Refusal.NotFound(jobId));
    }

    /**
     * Waits until {@code done} holds for the tenant's job, or {@code wait} has passed; answers the job as it then is.
     * Reads only the job's revision (version and status), every {@link #WAIT_POLL}, consistently: a change is seen
     * within that and a read's time, for about {@code 1 / WAIT_POLL} reads per waiting second.
     */
    Job await(String tenantId, String jobId, Predicate<JobStore.Revision> done, Duration wait) {
        Job job = find(tenantId, jobId);
        if (wait.isZero() || done.test(new JobStore.Revision(job.version(), job.status()))) {
            return job;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return job;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(WAIT_POLL.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return job;
            }
            Optional<JobStore.Revision> now = store.revision(jobId);
            if (now.isEmpty()) {
                throw new Refusal.NotFound(jobId);   // removed by its retention while waited on
            }
            if (done.test(now.get())) {
                return find(tenantId, jobId);
            }
        }
    }

    /** How often a waiting request reads a job's revision. */
    static final Duration WAIT_POLL = Duration.ofMillis(500);

    /** A cancel's outcome: the job as it now is, and whether it ended at once (false: the worker will stop it). */
    record Cancelled(Job job, boolean immediately) {
    }

    /** A QUEUED job ends at once; a RUNNING one is asked to stop. {@link Refusal.WrongStatus} when it has ended. */
    Cancelled cancel(String tenantId, String jobId) {
        Job current = find(tenantId, jobId);
        if (current.status() == JobStatus.QUEUED) {
            Optional<Job> cancelled = lifecycle.cancelQueued(jobId, tenantId);
            if (cancelled.isPresent()) {
                return new Cancelled(cancelled.get(), true);
            }
        }
        // not a status change: a flag the running attempt's heartbeat brings back to it
        Optional<Job> flagged = store.requestCancel(jobId, tenantId, lifecycle.clock().instant());
        if (flagged.isPresent()) {
            Log.info("job.cancel_requested", "jobId", jobId, "tenantId", tenantId);
            return new Cancelled(flagged.get(), false);
        }
        Job finished = store.find(jobId).orElse(current);
        throw new Refusal.WrongStatus(jobId, Refusal.Action.CANCEL, finished.status(), "it has ended and cannot be cancelled");
    }

    /** A FAILED or CANCELLED job runs again with a fresh attempt budget; {@link Refusal.WrongStatus} otherwise. */
    Job retry(String tenantId, String jobId) {
        Job current = find(tenantId, jobId);
        Job job = requeue(current, Cause.TENANT);
        send(job, lifecycle.clock().instant());
        return job;
    }

    /**
     * The retry transition, for a tenant's POST /jobs/{id}/retry and an operator's redrive alike: the job, FAILED or
     * CANCELLED, back to QUEUED (taking room in its tenant's quota). Sending its message is the caller's.
     */
    Job requeue(Job current, Cause cause) {
        JobStatus before = current.status();
        if (before != JobStatus.FAILED && before != JobStatus.CANCELLED) {
            throw new Refusal.WrongStatus(current.jobId(), Refusal.Action.RETRY, before, "only a failed or cancelled job can be retried");
        }
        return lifecycle.retry(current, cause).orElseThrow(() -> new Refusal.WrongStatus(
                current.jobId(), Refusal.Action.RETRY, before, "it changed while it was retried; read it again"));
    }

    private void send(Job job, Instant now) {
        messageFor(job, now).ifPresent(message -> {
            try {
                queue.send(message);
            } catch (JobQueue.QueueUnavailable e) {
                Log.warn("job.send_deferred", "jobId", job.jobId(), "tenantId", job.tenantId(), "reason", e.getMessage());
            }
        });
    }

    private static Job newJob(String tenantId, SubmitRequest request, String idempotencyKey, Instant now) {
        String jobId = idempotencyKey == null ? UUID.randomUUID().toString() : Idempotency.jobId(tenantId, idempotencyKey);
        String requestHash = idempotencyKey == null ? null : Idempotency.requestHash(request.canonical());
        // a delay is a runAt relative to now: stored, so the job shows when it will run
        Instant runAt = request.runAt() != null ? request.runAt()
                : request.delaySeconds() > 0 ? now.plusSeconds(request.delaySeconds()) : null;
        Job job = Job.submitted(jobId, tenantId, request.type(), request.payloadJson(), request.maxAttempts(),
                        request.timeoutSeconds(), now)
                .withOptions(request.priority(), runAt, request.callbackUrl(), requestHash);
        return request.key() == null ? job : job.withKey(request.key().heldFrom(now));
    }

    /** The message that wakes a worker, delayed as asked; empty for a job due too late for a queue's delay. */
    static Optional<JobMessage> messageFor(Job job, Instant now) {
        Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : now;
        Duration delay = Duration.between(now, due);
        if (delay.compareTo(SqsLimits.MAX_DELAY) > 0) {
            return Optional.empty();   // the sweeper sends it when it is due
        }
        return Optional.of(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority(),
                delay.isNegative() ? Duration.ZERO : delay));
    }
}
