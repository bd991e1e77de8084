package dev.jobline.scheduler;

import dev.jobline.api.JobTemplate;
import dev.jobline.cost.CostModel;
import dev.jobline.cost.CostTotals;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.schedule.Schedule;
import dev.jobline.schedule.ScheduleRun;
import dev.jobline.store.JobStore;
import dev.jobline.store.ScheduleStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Fires the schedules that are due: every fire up to {@code lookahead} from now (the function's period) becomes a job
 * now, sent with an SQS delay that makes it arrive at its fire time, so a job starts within seconds of it rather than
 * at the next invocation. Reads only the sparse due index, shard by shard.
 *
 * <p>Exactly one job per fire, whatever runs twice: the job's id is derived from tenant, schedule and fire time and
 * written by the lifecycle's conditional create; then the schedule moves on by a write conditional on the version read.
 * Two invocations on one fire: one creates the job, the other finds it and moves on (or loses the schedule's write).
 * An invocation that dies between the two writes leaves the schedule on that fire: the next one finds the job
 * written, sends its message again if it is still QUEUED (a second message is harmless: the claim is conditional),
 * and moves the schedule on. The sweeper re-sends a QUEUED job nobody claimed, too.
 *
 * <p>After downtime, a schedule fires once for the missed period: its latest fire time not after now.
 *
 * <p>overlap skip and enqueue: a fire ahead of its time whose key the previous job still holds is not decided yet (the
 * previous job may end before the fire): the first pass after its fire time makes it (late by at most a period) or
 * skips it, when the previous job still holds the key.
 */
public final class Scheduler {
    /** A schedule makes at most this many fires in one pass (a rate shorter than the lookahead, in a local run). */
    private static final int MAX_FIRES_PER_PASS = 20;

    private final JobLifecycle lifecycle;
    private final ScheduleStore schedules;
    private final JobStore jobs;
    private final JobQueue queue;
    private final JobRegistry registry;
    private final int maxPayloadBytes;
    private final Duration lookahead;
    private final Clock clock;

    public Scheduler(JobLifecycle lifecycle, ScheduleStore schedules, JobStore jobs, JobQueue queue, JobRegistry registry,
                     int maxPayloadBytes, Duration lookahead) {
        this.lifecycle = lifecycle;
        this.schedules = schedules;
        this.jobs = jobs;
        this.queue = queue;
        this.registry = registry;
        this.maxPayloadBytes = maxPayloadBytes;
        this.lookahead = lookahead;
        this.clock = lifecycle.clock();
    }

    /** What one pass did. */
    public record Report(int schedulesRead, int created, int skipped, int deferred, int refused, int invalid, int recovered,
                         int raced, boolean complete) {
    }

    /** One pass over every shard; stops early (the next pass carries on) when time runs short. */
    public Report fire(Supplier<Duration> timeLeft) {
        Counter counter = new Counter();
        boolean complete = true;
        try {
            for (int shard = 0; shard < schedules.shards(); shard++) {
                if (timeLeft.get().compareTo(Duration.ofSeconds(5)) < 0) {
                    complete = false;
                    break;
                }
                Instant now = clock.instant();
                for (Schedule schedule : schedules.due(shard, now.plus(lookahead))) {
                    counter.read++;
                    try {
                        fireDue(schedule, counter);
                    } catch (RuntimeException e) {
                        // one schedule's failure takes nothing from the others; it is due again at the next pass
                        Log.error("schedule.fire_failed", e, "tenantId", schedule.tenantId(), "schedule", schedule.name());
                    }
                }
            }
        } finally {
            lifecycle.flush();
        }
        Report report = new Report(counter.read, counter.created, counter.skipped, counter.deferred, counter.refused,
                counter.invalid, counter.recovered, counter.raced, complete);
        Log.info("schedules.fired", "schedulesRead", report.schedulesRead(), "created", report.created(),
                "skipped", report.skipped(), "deferred", report.deferred(), "refused", report.refused(), "invalid", report.invalid(),
                "recovered", report.recovered(), "raced", report.raced());
        return report;
    }

    /** Makes the schedule's fires up to the lookahead, one conditional move of the schedule after each. */
    private void fireDue(Schedule schedule, Counter counter) {
        Schedule current = schedule;
        for (int fires = 0; fires < MAX_FIRES_PER_PASS; fires++) {
            Instant now = clock.instant();
            if (current.paused() || current.nextFireAt() == null || current.nextFireAt().isAfter(now.plus(lookahead))) {
                return;
            }
            Instant fireAt = current.latestDue(now);
            Instant missedSince = fireAt.equals(current.nextFireAt()) ? null : current.nextFireAt();
            ScheduleRun run = fireOnce(current, fireAt, missedSince, now, counter);
            if (run == null) {
                // decided at a pass after its fire time: the previous job may still end before it
                counter.deferred++;
                return;
            }
            Schedule moved = current.fired(run, current.fireAfter(fireAt).orElse(null), clock.instant());
            if (!schedules.replace(moved, current.version())) {
                // another invocation (or a PATCH) moved it first: its fire is its own; this one's job, if any, is the same
                counter.raced++;
                return;
            }
            current = moved;
        }
    }

    private ScheduleRun fireOnce(Schedule schedule, Instant fireAt, Instant missedSince, Instant now, Counter counter) {
        String jobId = ScheduledJobId.of(schedule.tenantId(), schedule.scheduleId(), fireAt);
        Job job;
        try {
            job = JobTemplate.stored(schedule.template(), registry, maxPayloadBytes, now).jobFor(schedule, jobId, fireAt, now);
        } catch (RuntimeException e) {
            counter.invalid++;
            Log.warn("schedule.template_invalid", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "reason", e.getMessage());
            return new ScheduleRun(fireAt, null, ScheduleRun.INVALID, e.getMessage(), missedSince);
        }
        JobCost cost = CostModel.submit(1);
        Optional<Job> created;
        try {
            // the message first (arriving at the fire time), then the job: a QUEUED job always has one
            created = lifecycle.create(job.withCost(CostTotals.of(cost)), cost, () -> queue.send(JobMessage.arrivingAt(job, fireAt, now)));
        } catch (JobQueue.QueueUnavailable e) {
            // nothing written: the fire is not made yet, the next pass tries again
            Log.warn("schedule.send_failed", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "fireAt", fireAt.toString(),
                    "reason", e.getMessage());
            return null;
        } catch (Refusal.KeyConflict conflict) {
            if (jobs.find(jobId).isPresent()) {
                return recovered(schedule, jobId, fireAt, missedSince, now, counter);
            }
            if (fireAt.isAfter(now)) {
                return null;
            }
            counter.skipped++;
            Log.info("schedule.skipped", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "fireAt", fireAt.toString(),
                    "heldBy", conflict.holderId());
            return new ScheduleRun(fireAt, null, ScheduleRun.SKIPPED, "the previous job " + conflict.holderId()
                    + " has not " + (schedule.overlap() == dev.jobline.schedule.Overlap.ENQUEUE ? "started" : "ended"), missedSince);
        } catch (Refusal.QuotaExceeded quota) {
            if (jobs.find(jobId).isPresent()) {
                return recovered(schedule, jobId, fireAt, missedSince, now, counter);
            }
            counter.refused++;
            Log.warn("schedule.refused", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "fireAt", fireAt.toString(),
                    "limit", quota.limit());
            return new ScheduleRun(fireAt, null, ScheduleRun.REFUSED, quota.getMessage(), missedSince);
        }
        if (created.isEmpty()) {
            return recovered(schedule, jobId, fireAt, missedSince, now, counter);
        }
        counter.created++;
        Log.info("schedule.fired", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "fireAt", fireAt.toString(),
                "jobId", jobId);
        return new ScheduleRun(fireAt, jobId, ScheduleRun.CREATED, null, missedSince);
    }

    /**
     * The fire's job exists: an earlier invocation wrote it and may have died before sending it or moving the schedule
     * on. Still QUEUED: its message is sent (again); either way the schedule moves on.
     */
    private ScheduleRun recovered(Schedule schedule, String jobId, Instant fireAt, Instant missedSince, Instant now, Counter counter) {
        counter.recovered++;
        Optional<Job> existing = jobs.find(jobId);
        if (existing.isPresent() && existing.get().status() == JobStatus.QUEUED && existing.get().startedAt() == null) {
            send(existing.get(), fireAt, now);
        }
        Log.info("schedule.fire_recovered", "tenantId", schedule.tenantId(), "schedule", schedule.name(), "fireAt", fireAt.toString(),
                "jobId", jobId);
        return new ScheduleRun(fireAt, jobId, ScheduleRun.CREATED, null, missedSince);
    }

    private void send(Job job, Instant fireAt, Instant now) {
        try {
            queue.send(JobMessage.arrivingAt(job, fireAt, now));
        } catch (JobQueue.QueueUnavailable e) {
            // its first message was sent before it was written: this one is a spare
            Log.warn("schedule.send_deferred", "jobId", job.jobId(), "tenantId", job.tenantId(), "reason", e.getMessage());
        }
    }

    private static final class Counter {
        int read;
        int created;
        int skipped;
        int deferred;
        int refused;
        int invalid;
        int recovered;
        int raced;
    }
}
