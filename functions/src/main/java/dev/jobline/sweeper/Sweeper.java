package dev.jobline.sweeper;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.Chains;
import dev.jobline.lifecycle.ConcurrencyKeys;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.DueJob;
import dev.jobline.store.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Recovers jobs that went stale: a RUNNING job whose lease expired (its worker crashed) and whose own message did not
 * bring it back goes back to the queue, or fails when it has no attempts left; a QUEUED job nobody claimed in time
 * (its message was never sent or got lost) is sent again. It reads only the sparse in-flight index, only the entries
 * already due, so recovery costs what the stale jobs cost, not what the table holds. Then it gives back the
 * concurrency keys held for nothing. (Counting what is in flight is the reconciliation's, dev.jobline.reconcile: the
 * queue, not this index, holds the QUEUED and RUNNING jobs.)
 */
public final class Sweeper {
    /** A WAITING job's looks are at most 2^5 = 32 stale thresholds apart (capped at MAX_WAITING_RECHECK). */
    private static final int MAX_RESEND_DOUBLINGS = 5;
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final JobQueue queue;
    private final ConcurrencyKeys keys;
    private final Clock clock;
    private final int shards;
    private final int pageSize;
    private final Duration queuedStaleAfter;
    private final Duration redeliveryGrace;
    private final Chains chains;
    /** A WAITING job whose parents are still in flight is looked at again at most this far apart. */
    static final Duration MAX_WAITING_RECHECK = Duration.ofHours(1);

    /**
     * @param redeliveryGrace how long after a lease ends its job's own message is left to bring it back before the
     *                        sweeper takes it over: the message returns at most visibility - lease after the lease's end,
     *                        so this is that and a margin. The sweeper is the backstop for a message that is gone.
     */
    public Sweeper(JobLifecycle lifecycle, JobStore store, JobQueue queue, int shards, int pageSize,
                   Duration queuedStaleAfter, Duration redeliveryGrace) {
        this(lifecycle, ConcurrencyKeys.NONE, store, queue, shards, pageSize, queuedStaleAfter, redeliveryGrace);
    }

    /**
     * @param keys   whose stale keys (their time ran out, or their holder no longer needs them) each sweep gives back
     */
    public Sweeper(JobLifecycle lifecycle, ConcurrencyKeys keys, JobStore store, JobQueue queue, int shards,
                   int pageSize, Duration queuedStaleAfter, Duration redeliveryGrace) {
        this(lifecycle, keys, new Chains(store, queue).bind(lifecycle), store, queue, shards, pageSize, queuedStaleAfter,
                redeliveryGrace);
    }

    /** @param chains decides a WAITING job that came due (its release, or its cancel, was lost) */
    public Sweeper(JobLifecycle lifecycle, ConcurrencyKeys keys, Chains chains, JobStore store, JobQueue queue,
                   int shards, int pageSize, Duration queuedStaleAfter, Duration redeliveryGrace) {
        this.chains = chains;
        this.lifecycle = lifecycle;
        this.keys = keys;
        this.store = store;
        this.queue = queue;
        this.clock = lifecycle.clock();
        this.shards = shards;
        this.pageSize = pageSize;
        this.queuedStaleAfter = queuedStaleAfter;
        this.redeliveryGrace = redeliveryGrace;
    }

    /** One sweep over every shard; stops early (the next sweep carries on) when time runs short. */
    public SweepReport sweep(Supplier<Duration> timeLeft) {
        Instant now = clock.instant();
        SweepReport.Counter report = new SweepReport.Counter();
        for (int shard = 0; shard < shards; shard++) {
            String cursor = null;
            do {
                if (timeLeft.get().compareTo(Duration.ofSeconds(5)) < 0) {
                    report.stoppedEarly();
                    lifecycle.flush();
                    return report.done();
                }
                JobStore.DuePage page = store.findDue(shard, now, pageSize, cursor);
                report.read(page.itemsRead());
                for (DueJob job : page.jobs()) {
                    recover(job, now, report);
                }
                cursor = page.nextCursor();
            } while (cursor != null);
        }
        // the recoveries' counts first, so the count below starts from them
        lifecycle.flush();
        for (int shard = 0; shard < shards && timeLeft.get().compareTo(Duration.ofSeconds(10)) >= 0; shard++) {
            report.keysFreed(keys.giveBackStale(shard, now));
        }
        if (timeLeft.get().compareTo(Duration.ofSeconds(10)) < 0) {
            report.stoppedEarly();
        }
        SweepReport result = report.done();
        Log.info("sweep.finished", "itemsRead", result.itemsRead(), "requeued", result.requeued(),
                "resent", result.resent(), "failed", result.failed(), "deferred", result.deferred(), "raced", result.raced(),
                "keysFreed", result.keysFreed(), "released", result.released(), "chainCancelled", result.chainCancelled());
        return result;
    }

    private void recover(DueJob job, Instant now, SweepReport.Counter report) {
        if (job.status() == JobStatus.RUNNING) {
            Instant handback = job.leaseExpiresAt() == null ? now : job.leaseExpiresAt().plus(redeliveryGrace);
            if (handback.isAfter(now)) {
                // a job running longer than its sweepAt, or one whose message is on its way back: look again when that
                // message would have come (claims and heartbeats leave sweepAt alone, so only such jobs cost this write)
                if (store.deferSweep(job, handback)) {
                    report.deferred();
                } else {
                    report.raced();
                }
                return;
            }
            JobError expired = new JobError(JobError.LEASE_EXPIRED,
                    "attempt " + job.attempts() + " stopped without finishing (lease expired)", true);
            if (!job.attemptsLeft()) {
                if (lifecycle.failExpired(job, expired.asFinal(JobError.ATTEMPTS_EXHAUSTED), Cause.SWEEPER).isPresent()) {
                    report.failed();
                    Log.info("sweep.recovered", "jobId", job.jobId(), "tenantId", job.tenantId(), "action", "failed", "attempt", job.attempts());
                } else {
                    report.raced();
                }
                return;
            }
            // the message first: a job written QUEUED always has one (a failed send leaves it due for the next sweep)
            if (!send(job, Instant.MIN, now, "requeued")) {
                return;
            }
            if (lifecycle.requeueExpired(job, expired, Cause.SWEEPER).isPresent()) {
                report.requeued();
            } else {
                report.raced();
            }
        } else if (job.status() == JobStatus.WAITING) {
            recoverWaiting(job, now, report);
        } else if (job.status() == JobStatus.QUEUED) {
            // a job due further away than a queue can delay a message, now close enough (or an entry an older version
            // left): its message, delayed to its runAt, then it leaves the index. A paused type's message is held by
            // the workers like any other. Dying between the two sends it once more at the next sweep: harmless.
            if (!send(job, job.queuedAt() == null ? Instant.MIN : job.queuedAt(), now, "sent")) {
                return;
            }
            if (store.handedToQueue(job, now)) {
                report.resent();
            } else {
                report.raced();
            }
        }
    }

    /**
     * A WAITING job came due: normally its parents are still in flight, and it is looked at again later (the stale
     * threshold, doubled with each look, at most {@link #MAX_WAITING_RECHECK}); when they have all ended, the release
     * (or cancel) their ends should have made was lost with its invocation, and is made now. A job whose parent was never
     * stored, or whose batch flow is still pending, was left by a submission that stopped half-way: cancelled.
     */
    private void recoverWaiting(DueJob due, Instant now, SweepReport.Counter report) {
        Optional<Job> waiting = store.find(due.jobId());
        if (waiting.isEmpty() || waiting.get().version() != due.version()) {
            report.raced();
            return;
        }
        Chains.Decided decided = chains.decide(waiting.get(), Chains.Decider.SWEEPER);
        switch (decided.decision()) {
            case RELEASED -> {
                report.released();
                Log.info("sweep.recovered", "jobId", due.jobId(), "tenantId", due.tenantId(), "action", "released");
            }
            case CANCELLED -> {
                report.chainCancelled();
                Log.info("sweep.recovered", "jobId", due.jobId(), "tenantId", due.tenantId(), "action", "cancelled",
                        "reason", decided.job().error() == null ? null : decided.job().error().message());
            }
            case RACED -> report.raced();
            case WAITING -> {
                Duration later = resendBackoff(due.resends());
                if (store.deferWaitingSweep(due, now.plus(later.compareTo(MAX_WAITING_RECHECK) > 0 ? MAX_WAITING_RECHECK : later))) {
                    report.deferred();
                } else {
                    report.raced();
                }
            }
        }
    }

    /** How long before looking again at a WAITING job whose parents are still in flight: doubled with each look. */
    Duration resendBackoff(int resends) {
        return queuedStaleAfter.multipliedBy(1L << Math.min(resends, MAX_RESEND_DOUBLINGS));
    }

    /** The job's message, arriving at {@code at} (at once when that has passed); false when the queue refused it. */
    private boolean send(DueJob job, Instant at, Instant now, String action) {
        try {
            Instant arrival = at.isAfter(now) ? at : now;
            Duration delay = Duration.between(now, arrival);
            queue.send(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority(),
                    delay.compareTo(dev.jobline.queue.SqsLimits.MAX_DELAY) > 0 ? dev.jobline.queue.SqsLimits.MAX_DELAY : delay));
            Log.info("sweep.recovered", "jobId", job.jobId(), "tenantId", job.tenantId(), "action", action, "attempt", job.attempts());
            return true;
        } catch (JobQueue.QueueUnavailable e) {
            // nothing written: the job is still due, the next sweep tries again
            Log.warn("sweep.send_failed", "jobId", job.jobId(), "reason", e.getMessage());
            return false;
        }
    }
}
