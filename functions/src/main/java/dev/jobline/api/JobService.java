package dev.jobline.api;

import dev.jobline.cost.CostModel;
import dev.jobline.cost.CostTotals;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.log.Log;
import dev.jobline.metrics.JobMetrics.Cause;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.JobCounters;
import dev.jobline.store.JobStore;
import dev.jobline.store.TenantQuotas;
import dev.jobline.webhook.CompletionNotifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a tenant can do with jobs: submit (one or many), read, list, cancel, retry. A job is written
 * first and then sent; a lost send leaves a QUEUED job the sweeper sends later. Every write names
 * the tenant, so one tenant's request can never touch another's job.
 */
final class JobService {
    private final JobStore store;
    private final JobQueue queue;
    private final TenantQuotas quotas;
    private final JobCounters counters;
    private final CompletionNotifier notifier;
    private final Clock clock;

    JobService(JobStore store, JobQueue queue, TenantQuotas quotas, JobCounters counters, CompletionNotifier notifier,
               Clock clock) {
        this.store = store;
        this.queue = queue;
        this.quotas = quotas;
        this.counters = counters;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** A submission's outcome: the job, and whether this call created it (false: a repeat). */
    record Submitted(Job job, boolean created) {
    }

    Submitted submit(String tenantId, SubmitRequest request, String idempotencyKey) {
        Instant now = clock.instant();
        takeQuota(tenantId, 1, now);
        JobCost cost = CostModel.submit(1);
        Job job = newJob(tenantId, request, idempotencyKey, now).withCost(CostTotals.of(cost));
        Optional<Job> existing = createOrFindRepeat(job, idempotencyKey, now);
        if (existing.isPresent()) {
            quotas.release(tenantId, 1);
            return new Submitted(existing.get(), false);
        }
        counters.moved(tenantId, job.type(), null, JobStatus.QUEUED, Cause.SUBMIT);
        counters.costIncurred(tenantId, cost.dollars());
        Log.info("job.submitted", "jobId", job.jobId(), "tenantId", tenantId, "type", job.type(), "priority", job.priority().label());
        messageFor(job, now).ifPresent(message -> {
            try {
                queue.send(message);
            } catch (JobQueue.QueueUnavailable e) {
                Log.warn("job.send_deferred", "jobId", job.jobId(), "tenantId", tenantId, "reason", e.getMessage());
            }
        });
        return new Submitted(job, true);
    }

    /** One item of a batch: its job, or the problem that kept it out. */
    record BatchItem(Job job, Problem problem) {
    }

    /** Stores every valid item, then sends them in as few calls as SQS allows; one bad item sinks nothing else. */
    List<BatchItem> submitAll(String tenantId, List<Object> items, java.util.function.Function<Object, SubmitRequest> parse) {
        Instant now = clock.instant();
        List<BatchItem> results = new ArrayList<>(items.size());
        List<SubmitRequest> valid = new ArrayList<>();
        for (Object item : items) {
            try {
                SubmitRequest request = parse.apply(item);
                valid.add(request);
                results.add(new BatchItem(null, null));
            } catch (Problem problem) {
                results.add(new BatchItem(null, problem));
            }
        }
        if (!valid.isEmpty()) {
            takeQuota(tenantId, valid.size(), now);
        }
        List<JobMessage> messages = new ArrayList<>();
        JobCost cost = CostModel.submit(valid.size());
        int next = 0;
        int unused = 0;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).problem() != null) {
                continue;
            }
            SubmitRequest request = valid.get(next++);
            Job job = newJob(tenantId, request, null, now).withCost(CostTotals.of(cost));
            try {
                if (!store.create(job)) {
                    throw new IllegalStateException("job id " + job.jobId() + " is already taken");
                }
            } catch (RuntimeException e) {
                Log.error("job.not_stored", e, "tenantId", tenantId);
                unused++;
                results.set(i, new BatchItem(null, new Problem(503, "service-unavailable", "Service unavailable",
                        "this job could not be stored; submit it again")));
                continue;
            }
            counters.moved(tenantId, job.type(), null, JobStatus.QUEUED, Cause.SUBMIT);
            counters.costIncurred(tenantId, cost.dollars());
            results.set(i, new BatchItem(job, null));
            messageFor(job, now).ifPresent(messages::add);
        }
        quotas.release(tenantId, unused);
        if (!messages.isEmpty()) {
            List<JobMessage> notSent = queue.sendAll(messages);
            for (JobMessage message : notSent) {
                Log.warn("job.send_deferred", "jobId", message.jobId(), "tenantId", tenantId);
            }
        }
        Log.info("jobs.submitted_batch", "tenantId", tenantId, "accepted", messages.size(), "items", items.size());
        return results;
    }

    Optional<Job> find(String tenantId, String jobId) {
        return store.find(jobId).filter(job -> job.tenantId().equals(tenantId));
    }

    JobStore.JobPage list(String tenantId, Set<JobStatus> statuses, String type, int limit, String cursor) {
        return store.listByTenant(tenantId, statuses, type, limit, cursor);
    }

    /** A cancel's outcome: the job as it now is, and whether it ended at once (false: the worker will stop it). */
    record Cancelled(Job job, boolean immediately) {
    }

    /** Empty when the job does not exist for this tenant; a {@link Problem} 409 when it has already ended. */
    Optional<Cancelled> cancel(String tenantId, String jobId) {
        Optional<Job> current = find(tenantId, jobId);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (current.get().status() == JobStatus.QUEUED) {
            Optional<Job> cancelled = store.cancelQueuedNow(jobId, tenantId, now);
            if (cancelled.isPresent()) {
                counters.moved(tenantId, cancelled.get().type(), JobStatus.QUEUED, JobStatus.CANCELLED, Cause.TENANT);
                Log.info("job.cancelled", "jobId", jobId, "tenantId", tenantId, "before", "start");
                notifier.jobEnded(cancelled.get());
                return Optional.of(new Cancelled(cancelled.get(), true));
            }
        }
        Optional<Job> flagged = store.requestCancel(jobId, tenantId, now);
        if (flagged.isPresent()) {
            Log.info("job.cancel_requested", "jobId", jobId, "tenantId", tenantId);
            return Optional.of(new Cancelled(flagged.get(), false));
        }
        Job finished = find(tenantId, jobId).orElse(current.get());
        throw new Problem(409, "job-finished", "The job has already ended",
                "job " + jobId + " is " + finished.status() + " and cannot be cancelled").with("jobStatus", finished.status().name());
    }

    /** Empty when the job does not exist for this tenant; a {@link Problem} 409 unless it is FAILED or CANCELLED. */
    Optional<Job> retry(String tenantId, String jobId) {
        Optional<Job> current = find(tenantId, jobId);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        JobStatus before = current.get().status();
        if (before != JobStatus.FAILED && before != JobStatus.CANCELLED) {
            throw new Problem(409, "job-not-retryable", "Only a failed or cancelled job can be retried",
                    "job " + jobId + " is " + before).with("jobStatus", before.name());
        }
        Instant now = clock.instant();
        takeQuota(tenantId, 1, now);
        Optional<Job> requeued = store.retry(jobId, tenantId, now);
        if (requeued.isEmpty()) {
            quotas.release(tenantId, 1);
            throw new Problem(409, "job-not-retryable", "Only a failed or cancelled job can be retried",
                    "job " + jobId + " changed while retrying it; read it again");
        }
        Job job = requeued.get();
        counters.moved(tenantId, job.type(), before, JobStatus.QUEUED, Cause.TENANT);
        Log.info("job.retried", "jobId", jobId, "tenantId", tenantId);
        try {
            queue.send(new JobMessage(job.jobId(), tenantId, job.type(), job.priority()));
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.send_deferred", "jobId", jobId, "tenantId", tenantId, "reason", e.getMessage());
        }
        return Optional.of(job);
    }

    private void takeQuota(String tenantId, int jobs, Instant now) {
        TenantQuotas.Decision decision = quotas.acquire(tenantId, jobs, now);
        if (!decision.granted()) {
            long seconds = Math.max(1, decision.retryAfter().toSeconds());
            throw new Problem(429, "quota-exceeded", "Too many jobs",
                    "the tenant's " + decision.limit() + " limit is reached; try again in " + seconds + " s")
                    .with("limit", decision.limit())
                    .withHeader("retry-after", Long.toString(seconds));
        }
    }

    private static Job newJob(String tenantId, SubmitRequest request, String idempotencyKey, Instant now) {
        String jobId = idempotencyKey == null ? UUID.randomUUID().toString() : Idempotency.jobId(tenantId, idempotencyKey);
        String requestHash = idempotencyKey == null ? null : Idempotency.requestHash(request.canonical());
        // a delay is a runAt relative to now: stored, so the job shows when it will run
        Instant runAt = request.runAt() != null ? request.runAt()
                : request.delaySeconds() > 0 ? now.plusSeconds(request.delaySeconds()) : null;
        return Job.submitted(jobId, tenantId, request.type(), request.payloadJson(), request.maxAttempts(),
                        request.timeoutSeconds(), now)
                .withOptions(request.priority(), runAt, request.callbackUrl(), requestHash);
    }

    /**
     * Writes a new job. With an idempotency key, a job already under the derived id is either this
     * same request repeated within the window (returned), a different request (422), or an old
     * finished one whose window has passed (replaced).
     */
    private Optional<Job> createOrFindRepeat(Job job, String idempotencyKey, Instant now) {
        if (store.create(job)) {
            return Optional.empty();
        }
        if (idempotencyKey == null) {
            throw new IllegalStateException("job id " + job.jobId() + " is already taken");
        }
        Job existing = store.find(job.jobId()).orElseThrow(() -> new IllegalStateException("job " + job.jobId() + " vanished"));
        Instant windowStart = now.minus(Idempotency.WINDOW);
        if (existing.createdAt().isAfter(windowStart)) {
            if (job.requestHash().equals(existing.requestHash())) {
                return Optional.of(existing);
            }
            throw new Problem(422, "idempotency-key-reused", "The idempotency key was used for another request",
                    "this Idempotency-Key was used in the last 24 hours with a different request");
        }
        if (store.replaceFinished(job, windowStart)) {
            return Optional.empty();
        }
        throw new Problem(409, "idempotency-key-in-use", "The idempotency key's job is still running",
                "the job this Idempotency-Key created is still in flight; use a new key or wait for it to end");
    }

    /** The message that wakes a worker, delayed as asked; empty for a job due too late for a queue's delay. */
    private static Optional<JobMessage> messageFor(Job job, Instant now) {
        Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : now;
        Duration delay = Duration.between(now, due);
        if (delay.compareTo(JobMessage.MAX_DELAY) > 0) {
            return Optional.empty();   // the sweeper sends it when it is due
        }
        return Optional.of(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority(),
                delay.isNegative() ? Duration.ZERO : delay));
    }
}
