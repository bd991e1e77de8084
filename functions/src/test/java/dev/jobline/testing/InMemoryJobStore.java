package dev.jobline.testing;

import dev.jobline.cost.CostTotals;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.store.DeadLetter;
import dev.jobline.store.DueJob;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@link JobStore} in memory, for unit tests: the same conditions as DynamoJobStore's writes (a write whose condition
 * does not hold changes nothing and answers empty or false), with the in-flight index kept as the job's sweepAt.
 * A call can be made to fail ({@link #failOn}), as a table that cannot be reached does.
 */
public final class InMemoryJobStore implements JobStore {
    private static final Duration EARLY_ARRIVAL = Duration.ofSeconds(1);
    private static final Duration QUEUE_DELAY_LIMIT = Duration.ofMinutes(15);

    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, DeadLetter> deadLetters = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private final Duration queuedStaleAfter;
    private final Duration retention = Duration.ofDays(7);
    /** Every write that changed something, by method name: what a test can count. */
    public final List<String> writes = new ArrayList<>();

    public InMemoryJobStore(Duration queuedStaleAfter) {
        this.queuedStaleAfter = queuedStaleAfter;
    }

    /** From now on, calls of this method throw, as a call to an unreachable table does. */
    public synchronized void failOn(String method) {
        failing.add(method);
    }

    /** Runs before every claim is applied: a test's stall of the store (a clock moved on while the write was under way). */
    public volatile Runnable beforeClaim = () -> { };

    public synchronized void heal() {
        failing.clear();
    }

    private void check(String method) {
        if (failing.contains(method)) {
            throw new IllegalStateException("injected failure of " + method);
        }
    }

    /** One job's item: the Job's fields, mutable, and what only the item has (index keys, bookkeeping). */
    private static final class Row {
        Job job;
        Instant sweepAt;
        Instant queuedAt;
        Instant failedAt;
        int resends;

        Row(Job job) {
            this.job = job;
        }
    }

    private Job with(Job j, JobStatus status, int attempts, Instant updatedAt, Instant startedAt, Instant finishedAt,
                     Progress progress, String result, JobError error, String leaseOwner, Instant leaseExpiresAt,
                     Instant heartbeatAt, boolean cancelRequested, Instant nextAttemptAt, Instant expiresAt,
                     Instant runAt, WebhookDelivery webhook, CostTotals cost) {
        return new Job(j.jobId(), j.tenantId(), j.type(), status, j.payload(), attempts, j.maxAttempts(), j.timeoutSeconds(),
                j.createdAt(), updatedAt, startedAt, finishedAt, progress, result, error, leaseOwner, leaseExpiresAt,
                heartbeatAt, cancelRequested, nextAttemptAt, expiresAt, j.version() + 1, j.priority(), runAt, j.callbackUrl(),
                j.requestHash(), webhook, cost, j.endedBy(), j.key(),
                // a claim clears why the job waited; only a QUEUED job waits
                status == JobStatus.QUEUED && j.status() == JobStatus.QUEUED ? j.waitingFor() : null, j.dependsOn(), j.dependents());
    }

    private static Job endedBy(Job j, String by) {
        return new Job(j.jobId(), j.tenantId(), j.type(), j.status(), j.payload(), j.attempts(), j.maxAttempts(),
                j.timeoutSeconds(), j.createdAt(), j.updatedAt(), j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                j.version(), j.priority(), j.runAt(), j.callbackUrl(), j.requestHash(), j.webhook(), j.cost(), by, j.key(),
                j.waitingFor(), j.dependsOn(), j.dependents());
    }

    private static CostTotals add(CostTotals total, JobCost attempt) {
        if (attempt == null) {
            return total;
        }
        CostTotals base = total == null ? new CostTotals(0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO) : total;
        return new CostTotals(base.computeMillis() + attempt.computeMillis(), base.gbSeconds().add(attempt.gbSeconds()),
                base.requests().add(attempt.requests()), base.dollars().add(attempt.dollars()));
    }

    private Instant firstSweep(Job job) {
        // as DynamoJobStore: only what no queue holds is in the in-flight index
        if (job.status() == JobStatus.WAITING) {
            return job.createdAt().plus(queuedStaleAfter);
        }
        if (job.runAt() != null && job.runAt().isAfter(job.createdAt().plus(QUEUE_DELAY_LIMIT))) {
            return job.runAt().minus(dev.jobline.store.DynamoJobStore.SEND_AHEAD);
        }
        return null;
    }

    @Override
    public synchronized boolean create(Job job) {
        check("create");
        if (rows.containsKey(job.jobId())) {
            return false;
        }
        Row row = new Row(job);
        row.sweepAt = firstSweep(job);
        row.queuedAt = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
        rows.put(job.jobId(), row);
        writes.add("create");
        return true;
    }

    @Override
    public synchronized boolean replaceFinished(Job job, Instant cutoff) {
        check("replaceFinished");
        Row row = rows.get(job.jobId());
        if (row == null || !row.job.createdAt().isBefore(cutoff) || !row.job.status().isTerminal()) {
            return false;
        }
        rows.remove(job.jobId());
        return create(job);
    }

    @Override
    public synchronized JobPage list(String tenantId, dev.jobline.store.JobFilter filter, int limit, String cursor) {
        return listAcross(List.of(tenantId), filter, limit, cursor);
    }

    @Override
    public synchronized JobPage listAcross(List<String> tenantIds, dev.jobline.store.JobFilter filter, int limit, String cursor) {
        List<Job> jobs = rows.values().stream().map(r -> r.job).filter(j -> tenantIds.contains(j.tenantId()))
                .filter(filter::matches)
                .sorted(Comparator.comparing(Job::createdAt).reversed()).limit(limit).toList();
        return new JobPage(jobs, null);
    }

    private synchronized Optional<Job> update(String method, String jobId, Predicate<Row> condition,
                                              java.util.function.Consumer<Row> change) {
        check(method);
        Row row = rows.get(jobId);
        if (row == null || !condition.test(row)) {
            return Optional.empty();
        }
        change.accept(row);
        writes.add(method);
        return Optional.of(row.job);
    }

    /** A terminal write: leaves the in-flight index, starts the retention clock. */
    private void finish(Row row, JobStatus status, Instant now, Progress progress, String result, JobError error, JobCost cost,
                        boolean cancelRequested) {
        Job j = row.job;
        row.job = with(j, status, j.attempts(), now, j.startedAt(), now, progress == null ? j.progress() : progress,
                result == null ? j.result() : result, error == null ? j.error() : error, null, null, j.heartbeatAt(),
                cancelRequested || j.cancelRequested(), null, now.plus(retention), j.runAt(), null, add(j.cost(), cost));
        row.sweepAt = null;
        row.queuedAt = null;
        row.resends = 0;
        row.failedAt = status == JobStatus.FAILED ? now : null;
    }

    @Override
    public Optional<Job> cancelQueuedNow(String jobId, String tenantId, Instant now) {
        return update("cancelQueuedNow", jobId, r -> r.job.tenantId().equals(tenantId) && r.job.status() == JobStatus.QUEUED,
                r -> finish(r, JobStatus.CANCELLED, now, null, null, null, null, true));
    }

    @Override
    public Optional<Job> retry(String jobId, String tenantId, JobStatus from, long version, Instant keyHeldUntil, Instant now) {
        return update("retry", jobId, r -> r.job.tenantId().equals(tenantId) && r.job.status() == from && r.job.version() == version, r -> {
            Job j = r.job;
            JobKey key = j.key() == null || keyHeldUntil == null ? j.key() : new JobKey(j.key().value(), j.key().scope(), keyHeldUntil);
            r.job = new Job(j.jobId(), j.tenantId(), j.type(), JobStatus.QUEUED, j.payload(), 0, j.maxAttempts(),
                    j.timeoutSeconds(), j.createdAt(), now, j.startedAt(), null, null, null, null, null, null, j.heartbeatAt(),
                    false, null, null, j.version() + 1, j.priority(), null, j.callbackUrl(), j.requestHash(), null, j.cost(), null,
                    key, null, j.dependsOn(), j.dependents());
            r.queuedAt = now;
            r.sweepAt = null;
            r.failedAt = null;
            r.resends = 0;
        });
    }

    @Override
    public synchronized FailedPage findFailed(int shard, Instant from, Instant to, int limit, String cursor) {
        List<FailedJob> failed = rows.values().stream().filter(r -> r.failedAt != null && !r.failedAt.isBefore(from)
                        && !r.failedAt.isAfter(to))
                .map(r -> new FailedJob(r.job.jobId(), r.job.tenantId(), r.job.type(), r.job.priority(), r.job.error(), r.failedAt))
                .limit(limit).toList();
        return new FailedPage(shard == 0 ? failed : List.of(), null);
    }

    @Override
    public synchronized List<InFlightJob> inFlightJobs(int shard) {
        check("inFlightJobs");
        if (shard != 0) {
            return List.of();
        }
        return rows.values().stream().filter(r -> r.sweepAt != null)
                .map(r -> new InFlightJob(r.job.jobId(), r.job.tenantId(), r.job.type(), r.job.status(), r.queuedAt,
                        r.job.waitingFor())).toList();
    }

    @Override
    public int shards() {
        return 1;
    }

    @Override
    public synchronized Optional<Job> find(String jobId) {
        check("find");
        Row row = rows.get(jobId);
        return row == null ? Optional.empty() : Optional.of(row.job);
    }

    /** The job with another status, waitingFor and dependents, one version on (what the chain writes change). */
    private static Job relinked(Job j, JobStatus status, String waitingFor, List<String> dependents, Instant updatedAt) {
        return new Job(j.jobId(), j.tenantId(), j.type(), status, j.payload(), j.attempts(), j.maxAttempts(),
                j.timeoutSeconds(), j.createdAt(), updatedAt, j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                j.version() + 1, j.priority(), j.runAt(), j.callbackUrl(), j.requestHash(), j.webhook(), j.cost(), j.endedBy(),
                j.key(), waitingFor, j.dependsOn(), dependents);
    }

    @Override
    public synchronized List<Job> findAll(java.util.Collection<String> jobIds) {
        check("findAll");
        return new java.util.LinkedHashSet<>(jobIds).stream().map(rows::get).filter(java.util.Objects::nonNull).map(r -> r.job).toList();
    }

    @Override
    public Optional<Job> addDependent(String parentId, String tenantId, String childId) {
        return update("addDependent", parentId, r -> r.job.tenantId().equals(tenantId) && r.job.dependents().size() < Job.MAX_DEPENDENTS,
                r -> {
                    java.util.TreeSet<String> children = new java.util.TreeSet<>(r.job.dependents());
                    children.add(childId);
                    r.job = relinked(r.job, r.job.status(), r.job.waitingFor(), List.copyOf(children), r.job.updatedAt());
                });
    }

    @Override
    public Optional<Job> release(String jobId, boolean flowCommit, Instant now) {
        return update("release", jobId, r -> r.job.status() == JobStatus.WAITING && (flowCommit || r.job.waitingFor() == null), r -> {
            r.job = relinked(r.job, JobStatus.QUEUED, null, r.job.dependents(), now);
            r.queuedAt = now;
            r.sweepAt = null;
            r.resends = 0;
        });
    }

    @Override
    public Optional<Job> cancelWaiting(String jobId, String tenantId, JobError error, Instant now) {
        return update("cancelWaiting", jobId, r -> r.job.tenantId().equals(tenantId) && r.job.status() == JobStatus.WAITING, r -> {
            // a terminal write clears waitingFor, as DynamoJobStore removes it
            finish(r, JobStatus.CANCELLED, now, null, null, error, null, error == null);
        });
    }

    @Override
    public boolean endFlowPending(String jobId, Instant now) {
        return update("endFlowPending", jobId, r -> r.job.status() == JobStatus.WAITING && Job.FLOW_PENDING.equals(r.job.waitingFor()),
                r -> r.job = relinked(r.job, r.job.status(), null, r.job.dependents(), r.job.updatedAt())).isPresent();
    }

    @Override
    public boolean deferWaitingSweep(DueJob job, Instant sweepAt) {
        return update("deferWaitingSweep", job.jobId(), r -> r.job.version() == job.version() && r.job.status() == JobStatus.WAITING, r -> {
            r.sweepAt = sweepAt;
            r.resends++;
            r.job = relinked(r.job, r.job.status(), r.job.waitingFor(), r.job.dependents(), r.job.updatedAt());
        }).isPresent();
    }

    @Override
    public synchronized boolean markWaiting(String jobId, String reason, Instant now) {
        check("markWaiting");
        Row row = rows.get(jobId);
        if (row == null || row.job.status() != JobStatus.QUEUED || reason.equals(row.job.waitingFor())) {
            return false;
        }
        Job j = row.job;
        row.job = new Job(j.jobId(), j.tenantId(), j.type(), j.status(), j.payload(), j.attempts(), j.maxAttempts(),
                j.timeoutSeconds(), j.createdAt(), j.updatedAt(), j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                j.version() + 1, j.priority(), j.runAt(), j.callbackUrl(), j.requestHash(), j.webhook(), j.cost(), j.endedBy(),
                j.key(), reason, j.dependsOn(), j.dependents());
        writes.add("markWaiting");
        return true;
    }

    @Override
    public synchronized Optional<Claim> claim(String jobId, Lease lease, Instant now) {
        check("claim");
        beforeClaim.run();
        Row row = rows.get(jobId);
        if (row == null) {
            return Optional.empty();
        }
        Job j = row.job;
        boolean queued = j.status() == JobStatus.QUEUED && !j.cancelRequested()
                && (j.nextAttemptAt() == null || !j.nextAttemptAt().isAfter(now.plus(EARLY_ARRIVAL)));
        boolean expired = j.status() == JobStatus.RUNNING && j.leaseExpiresAt() != null && j.leaseExpiresAt().isBefore(now);
        if (j.attempts() >= j.maxAttempts() || !(queued || expired)) {
            return Optional.empty();
        }
        JobStatus previous = j.status();
        Instant queuedAt = row.queuedAt;
        row.job = with(j, JobStatus.RUNNING, j.attempts() + 1, now, j.startedAt() == null ? now : j.startedAt(), null,
                j.progress(), j.result(), j.error(), lease.owner(), lease.expiresAt(), now, j.cancelRequested(), null,
                j.expiresAt(), j.runAt(), j.webhook(), j.cost());
        writes.add("claim");
        return Optional.of(new Claim(row.job, previous, queuedAt));
    }

    @Override
    public Optional<Job> giveBack(Job claimed, Lease lease, Instant now) {
        return update("giveBack", claimed.jobId(), r -> r.job.status() == JobStatus.RUNNING && lease.owner().equals(r.job.leaseOwner()), r -> {
            Job j = r.job;
            r.job = with(j, JobStatus.QUEUED, j.attempts() - 1, now, claimed.attempts() <= 1 ? null : j.startedAt(), null,
                    j.progress(), j.result(), j.error(), null, null, j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(),
                    j.expiresAt(), j.runAt(), j.webhook(), j.cost());
        });
    }

    @Override
    public Optional<Job> heartbeat(String jobId, Lease lease, Progress progress, Instant now) {
        return update("heartbeat", jobId, r -> r.job.status() == JobStatus.RUNNING && lease.owner().equals(r.job.leaseOwner()), r -> {
            Job j = r.job;
            r.job = with(j, j.status(), j.attempts(), now, j.startedAt(), j.finishedAt(), progress == null ? j.progress() : progress,
                    j.result(), j.error(), j.leaseOwner(), lease.expiresAt(), now, j.cancelRequested(), j.nextAttemptAt(),
                    j.expiresAt(), j.runAt(), j.webhook(), j.cost());
        });
    }

    private Predicate<Row> underLease(String leaseOwner) {
        return r -> r.job.status() == JobStatus.RUNNING && leaseOwner.equals(r.job.leaseOwner());
    }

    @Override
    public Optional<Job> succeed(String jobId, String leaseOwner, String resultJson, Progress progress, JobCost attempt, Instant now) {
        return update("succeed", jobId, underLease(leaseOwner), r -> {
            finish(r, JobStatus.SUCCEEDED, now, progress, resultJson, null, attempt, false);
            r.job = endedBy(r.job, leaseOwner);
        });
    }

    @Override
    public Optional<Job> fail(String jobId, String leaseOwner, JobError error, JobCost attempt, Instant now) {
        return update("fail", jobId, underLease(leaseOwner), r -> {
            finish(r, JobStatus.FAILED, now, null, null, error, attempt, false);
            r.job = endedBy(r.job, leaseOwner);
        });
    }

    @Override
    public Optional<Job> cancelRunning(String jobId, String leaseOwner, JobCost attempt, Instant now) {
        return update("cancelRunning", jobId, underLease(leaseOwner), r -> {
            finish(r, JobStatus.CANCELLED, now, null, null, null, attempt, false);
            r.job = endedBy(r.job, leaseOwner);
        });
    }

    @Override
    public Optional<Job> awaitRetry(String jobId, String leaseOwner, JobError error, Instant nextAttemptAt, JobCost attempt,
                                    Instant now) {
        return update("awaitRetry", jobId, underLease(leaseOwner), r -> {
            Job j = r.job;
            r.job = with(j, JobStatus.QUEUED, j.attempts(), now, j.startedAt(), null, j.progress(), j.result(), error, null, null,
                    j.heartbeatAt(), j.cancelRequested(), nextAttemptAt, j.expiresAt(), j.runAt(), j.webhook(), add(j.cost(), attempt));
            r.queuedAt = nextAttemptAt;
            r.sweepAt = null;
        });
    }

    @Override
    public Optional<Job> requestCancel(String jobId, String tenantId, Instant now) {
        return update("requestCancel", jobId, r -> r.job.tenantId().equals(tenantId) && !r.job.status().isTerminal(), r -> {
            Job j = r.job;
            r.job = with(j, j.status(), j.attempts(), now, j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                    j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), true, j.nextAttemptAt(), j.expiresAt(), j.runAt(),
                    j.webhook(), j.cost());
        });
    }

    @Override
    public Optional<Job> recountEnd(String jobId, String endedBy, Instant now) {
        return update("recountEnd", jobId, r -> endedBy.equals(r.job.endedBy()), r -> r.job = endedBy(r.job, null));
    }

    @Override
    public Optional<Job> cancelQueued(String jobId, Instant now) {
        return update("cancelQueued", jobId, r -> r.job.status() == JobStatus.QUEUED && r.job.cancelRequested(),
                r -> finish(r, JobStatus.CANCELLED, now, null, null, null, null, true));
    }

    @Override
    public synchronized DuePage findDue(int shard, Instant now, int limit, String cursor) {
        check("findDue");
        if (shard != 0) {
            return new DuePage(List.of(), null, 0);
        }
        List<DueJob> due = new ArrayList<>();
        for (Row r : rows.values()) {
            if (r.sweepAt != null && r.sweepAt.isBefore(now)) {
                Job j = r.job;
                due.add(new DueJob(j.jobId(), j.tenantId(), j.type(), j.status(), j.attempts(), j.maxAttempts(), j.leaseExpiresAt(),
                        j.version(), j.priority(), r.queuedAt, r.resends));
            }
        }
        return new DuePage(due, null, due.size() * 2);
    }

    @Override
    public boolean deferSweep(DueJob job, Instant sweepAt) {
        return update("deferSweep", job.jobId(), r -> r.job.status() == JobStatus.RUNNING && r.sweepAt != null,
                r -> r.sweepAt = sweepAt).isPresent();
    }

    @Override
    public boolean handedToQueue(DueJob job, Instant now) {
        return update("handedToQueue", job.jobId(), r -> r.job.version() == job.version() && r.job.status() == JobStatus.QUEUED, r -> {
            r.sweepAt = null;
            r.resends = 0;
            Job j = r.job;
            r.job = with(j, j.status(), j.attempts(), now, j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                    j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                    j.runAt(), j.webhook(), j.cost());
        }).isPresent();
    }

    private Predicate<Row> expiredLease(DueJob job, Instant now) {
        return r -> r.job.version() == job.version() && r.job.status() == JobStatus.RUNNING && r.job.leaseExpiresAt() != null
                && r.job.leaseExpiresAt().isBefore(now);
    }

    @Override
    public Optional<Job> requeueExpired(DueJob job, JobError error, Instant now) {
        return update("requeueExpired", job.jobId(), expiredLease(job, now), r -> {
            Job j = r.job;
            r.job = with(j, JobStatus.QUEUED, j.attempts(), now, j.startedAt(), null, j.progress(), j.result(), error, null, null,
                    j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(), j.runAt(), j.webhook(), j.cost());
            r.queuedAt = now;
            r.sweepAt = null;
        });
    }

    @Override
    public Optional<Job> failExpired(DueJob job, JobError error, Instant now) {
        return update("failExpired", job.jobId(), expiredLease(job, now),
                r -> finish(r, JobStatus.FAILED, now, null, null, error, null, false));
    }

    @Override
    public Optional<Job> failDeadLettered(String jobId, JobStatus from, JobError error, Instant now) {
        Predicate<Row> condition = from == JobStatus.RUNNING
                ? r -> r.job.status() == JobStatus.RUNNING && r.job.leaseExpiresAt() != null && r.job.leaseExpiresAt().isBefore(now)
                : r -> r.job.status() == from;
        return update("failDeadLettered", jobId, condition, r -> finish(r, JobStatus.FAILED, now, null, null, error, null, false));
    }

    @Override
    public boolean webhookQueued(String jobId, Instant finishedAt) {
        return update("webhookQueued", jobId, r -> finishedAt.equals(r.job.finishedAt()) && r.job.webhook() == null, r -> {
            Job j = r.job;
            r.job = with(j, j.status(), j.attempts(), j.updatedAt(), j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                    j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                    j.runAt(), new WebhookDelivery(WebhookDelivery.PENDING, 0, null, null, null), j.cost());
        }).isPresent();
    }

    @Override
    public boolean recordWebhook(String jobId, Instant finishedAt, int previousAttempts, WebhookDelivery delivery) {
        return update("recordWebhook", jobId, r -> finishedAt.equals(r.job.finishedAt())
                && (r.job.webhook() == null ? previousAttempts == 0 : r.job.webhook().attempts() == previousAttempts), r -> {
            Job j = r.job;
            r.job = with(j, j.status(), j.attempts(), j.updatedAt(), j.startedAt(), j.finishedAt(), j.progress(), j.result(), j.error(),
                    j.leaseOwner(), j.leaseExpiresAt(), j.heartbeatAt(), j.cancelRequested(), j.nextAttemptAt(), j.expiresAt(),
                    j.runAt(), delivery, j.cost());
        }).isPresent();
    }

    @Override
    public synchronized void keepDeadLetter(DeadLetter letter) {
        check("keepDeadLetter");
        deadLetters.putIfAbsent(letter.messageId(), letter);
    }

    @Override
    public synchronized Optional<DeadLetter> findDeadLetter(String messageId) {
        return Optional.ofNullable(deadLetters.get(messageId));
    }

    @Override
    public synchronized DeadLetterPage keptDeadLetters(int limit, String cursor) {
        return new DeadLetterPage(deadLetters.values().stream()
                .sorted(Comparator.comparing(DeadLetter::receivedAt).reversed()).limit(limit).toList(), null);
    }

    /** Test set-up: the in-flight index entry an older version of Jobline gave every QUEUED or RUNNING job. */
    public synchronized void leftInIndex(String jobId, Instant sweepAt) {
        rows.get(jobId).sweepAt = sweepAt;
    }

    /** Test set-up: a job written as it is, bypassing every condition. */
    public synchronized void put(Job job) {
        Row row = new Row(job);
        if (job.status().isInFlight()) {
            row.sweepAt = firstSweep(job);
            row.queuedAt = job.createdAt();
        }
        rows.put(job.jobId(), row);
    }

    @Override
    public synchronized ScanPage scanJobs(int limit, String cursor) {
        check("scanJobs");
        List<Row> all = new ArrayList<>(rows.values());
        int from = 0;
        if (cursor != null) {
            from = all.indexOf(rows.get(cursor)) + 1;
            if (from == 0) {
                throw new InvalidCursor("not a scan cursor: " + cursor);
            }
        }
        int to = Math.min(all.size(), from + limit);
        List<ScannedJob> jobs = new ArrayList<>();
        for (Row r : all.subList(from, to)) {
            Job j = r.job;
            jobs.add(new ScannedJob(j.jobId(), j.tenantId(), j.type(), j.priority(), j.status(), j.attempts(), j.maxAttempts(),
                    j.updatedAt(), r.queuedAt, j.nextAttemptAt(), j.runAt(), j.leaseExpiresAt(), j.waitingFor(), r.sweepAt != null));
        }
        // each item well under 4 KB, read eventually consistent: half a read unit
        return new ScanPage(jobs, to - from, (to - from) * 0.5, to < all.size() ? all.get(to - 1).job.jobId() : null);
    }
}
