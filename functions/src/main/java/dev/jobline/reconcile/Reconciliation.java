package dev.jobline.reconcile;

import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.JobStore;
import dev.jobline.store.ReconcileRun;
import dev.jobline.store.ReconcileRunStore;
import dev.jobline.store.TenantStore;
import dev.jobline.store.TypePauses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rare pass over the whole jobs table that finds what the queue lost. While a job is QUEUED or RUNNING its message
 * is in a queue, so nothing Jobline does leaves one without; an operator can (a purged queue, a message deleted by
 * hand). A run scans the table, eventually consistent and at a bounded read rate, sends again every job the
 * {@link StaleRule} finds stale, and counts what is in flight: the tenants' counts are put right (those whose records
 * did not move during the pass) and the in-flight snapshot for /stats is saved.
 *
 * <p>One run at a time, in one record ({@link ReconcileRunStore}). A run longer than an invocation is carried on by the
 * next ones (the sweeper runs every minute): each holds the run while it reads, by a write conditional on the record's
 * version, so two invocations never read the same pages; the loser of that race does nothing.
 */
public final class Reconciliation {
    /** What an invocation keeps of its time: its own last write, and Lambda's margin. */
    static final Duration SPARE = Duration.ofSeconds(10);
    /** How long past its budget an invocation's hold lasts: a dead invocation's run is carried on after it. */
    static final Duration HOLD_MARGIN = Duration.ofSeconds(30);

    /**
     * @param pageSize       items per Scan page
     * @param unitsPerSecond the most read units a second the scan spends
     * @param settle         how long after the scan's end the tenants' records must still be as they were when it began
     *                       before they are corrected: a count write on its way (an invocation's moves are counted at
     *                       its end) shows by then
     */
    public record Settings(int pageSize, double unitsPerSecond, Duration settle) {
    }

    private final JobStore jobs;
    private final TenantStore tenants;
    private final ReconcileRunStore runs;
    private final JobQueue queue;
    private final TypePauses pauses;
    private final StaleRule rule;
    private final Settings settings;
    private final Clock clock;
    private final Pacer pacer;

    public Reconciliation(JobStore jobs, TenantStore tenants, ReconcileRunStore runs, JobQueue queue, TypePauses pauses,
                          StaleRule rule, Settings settings, Clock clock) {
        this(jobs, tenants, runs, queue, pauses, rule, settings, clock, Pacer.THREAD);
    }

    Reconciliation(JobStore jobs, TenantStore tenants, ReconcileRunStore runs, JobQueue queue, TypePauses pauses,
                   StaleRule rule, Settings settings, Clock clock, Pacer.Sleeper sleeper) {
        this.jobs = jobs;
        this.tenants = tenants;
        this.runs = runs;
        this.queue = queue;
        this.pauses = pauses;
        this.rule = rule;
        this.settings = settings;
        this.clock = clock;
        this.pacer = new Pacer(settings.unitsPerSecond(), clock, sleeper);
    }

    /**
     * An operator's run (after a purge, say) was asked for because messages are gone now: every job queued before it
     * started counts as lost (a job written QUEUED had its message sent first, so none is on its way). The daily run
     * cannot know: it waits the rule's stale time, longer than a queue's usual backlog, so that a job that only waits
     * its turn is not sent twice.
     */
    private Instant queuedBefore(ReconcileRun run, Instant now) {
        return run.trigger() == ReconcileRun.Trigger.ADMIN ? run.startedAt() : now.minus(rule.queuedStaleAfter());
    }

    /** A run is under way already: only one at a time. */
    public static final class RunActive extends RuntimeException {
        private final transient ReconcileRun run;

        RunActive(ReconcileRun run) {
            super("reconciliation " + run.runId() + " is running (started " + run.startedAt() + ")");
            this.run = run;
        }

        public ReconcileRun run() {
            return run;
        }
    }

    /** Starts a run (the sweeper invocations carry it on); throws {@link RunActive} when one is running. */
    public ReconcileRun start(ReconcileRun.Trigger trigger) {
        Optional<ReconcileRun> last = runs.current();
        if (last.isPresent() && last.get().running()) {
            throw new RunActive(last.get());
        }
        long lastVersion = last.map(ReconcileRun::version).orElse(0L);
        Tally tally = Tally.begin(tenants.read(tenants.tenants()));
        ReconcileRun run = new ReconcileRun(UUID.randomUUID().toString(), ReconcileRun.Status.RUNNING, trigger, clock.instant(),
                null, null, null, 0, 0, 0, 0, lastVersion + 1, null, tally.json());
        if (!runs.write(run, lastVersion)) {
            // another start got there first
            throw new RunActive(runs.current().filter(ReconcileRun::running).orElse(run));
        }
        Log.info("reconcile.started", "runId", run.runId(), "trigger", trigger.label());
        return run;
    }

    /** The active run, or the last one. */
    public Optional<ReconcileRun> current() {
        return runs.current();
    }

    /**
     * Carries the active run on while {@code timeLeft} is more than {@link #SPARE}: reads pages at the read rate, sends
     * the stale jobs again, and saves where it got to; ends the run when the scan is over and has settled. Answers the
     * run as this invocation left it; empty when there was nothing to do (no run, or another invocation holds it).
     */
    public Optional<ReconcileRun> proceed(Supplier<Duration> timeLeft) {
        Optional<ReconcileRun> found = runs.current();
        Instant now = clock.instant();
        if (found.isEmpty() || !found.get().running()) {
            return Optional.empty();
        }
        ReconcileRun run = found.get();
        if (run.heldUntil() != null && run.heldUntil().isAfter(now)) {
            return Optional.empty();
        }
        Duration budget = timeLeft.get().minus(SPARE);
        if (budget.isNegative() || budget.isZero()) {
            return Optional.empty();
        }
        ReconcileRun held = run.next(run.cursor(), run.itemsRead(), run.readUnits(), run.resent(), now.plus(budget).plus(HOLD_MARGIN),
                run.scanEndedAt(), run.tally());
        if (!runs.write(held, run.version())) {
            Log.info("reconcile.held_elsewhere", "runId", run.runId());
            return Optional.empty();
        }
        Tally tally = Tally.parse(held.tally());
        String cursor = held.cursor();
        long itemsRead = held.itemsRead();
        double units = held.readUnits();
        long resent = held.resent();
        Instant scanEndedAt = held.scanEndedAt();
        Set<String> paused = pauses.paused().keySet();
        while (scanEndedAt == null && timeLeft.get().compareTo(SPARE) > 0) {
            Instant pageStarted = clock.instant();
            JobStore.ScanPage page = jobs.scanJobs(settings.pageSize(), cursor);
            itemsRead += page.itemsRead();
            units += page.readUnits();
            List<JobMessage> stale = new ArrayList<>();
            for (JobStore.ScannedJob job : page.jobs()) {
                tally.count(job, pageStarted);
                if (rule.resend(job, pageStarted, paused, queuedBefore(held, pageStarted))) {
                    stale.add(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority()));
                }
            }
            resent += send(stale, run.runId());
            cursor = page.nextCursor();
            if (cursor == null) {
                scanEndedAt = clock.instant();
            } else {
                pacer.after(pageStarted, page.readUnits());
            }
        }
        ReconcileRun saved = held.next(cursor, itemsRead, units, resent, null, scanEndedAt, tally.json());
        if (scanEndedAt != null && !clock.instant().isBefore(scanEndedAt.plus(settings.settle()))) {
            return Optional.of(finish(saved, tally, held.version()));
        }
        if (!runs.write(saved, held.version())) {
            Log.warn("reconcile.lost_hold", "runId", run.runId());
            return Optional.empty();
        }
        Log.info("reconcile.progress", "runId", run.runId(), "itemsRead", itemsRead, "readUnits", units, "resent", resent,
                "scanEnded", scanEndedAt != null);
        return Optional.of(saved);
    }

    /** The messages sent; a job whose send failed is found again by the next run. */
    private long send(List<JobMessage> stale, String runId) {
        if (stale.isEmpty()) {
            return 0;
        }
        List<JobMessage> unsent;
        try {
            unsent = queue.sendAll(stale);
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("reconcile.send_failed", "runId", runId, "jobs", stale.size(), "reason", e.getMessage());
            return 0;
        }
        for (JobMessage message : stale) {
            if (!unsent.contains(message)) {
                Log.info("reconcile.resent", "runId", runId, "jobId", message.jobId(), "tenantId", message.tenantId());
            }
        }
        return stale.size() - unsent.size();
    }

    /**
     * Ends the run: first the record says DONE (conditionally, so one invocation only), then the corrections are
     * written. Dying between the two loses corrections, which the next run makes; the other order could make them twice.
     */
    private ReconcileRun finish(ReconcileRun scanned, Tally tally, long expectedVersion) {
        Instant now = clock.instant();
        List<Tally.Correction> corrections = tally.corrections(tenants);
        ReconcileRun done = scanned.done(corrections.size(), now);
        if (!runs.write(done, expectedVersion)) {
            Log.warn("reconcile.lost_hold", "runId", scanned.runId());
            return scanned;
        }
        for (Tally.Correction correction : corrections) {
            tenants.apply(correction.tenantId(), correction.delta());
            Log.info("tenant.counts_corrected", "tenantId", correction.tenantId(), "runId", scanned.runId(),
                    "waitingBy", correction.delta().jobs().get(dev.jobline.job.JobStatus.WAITING),
                    "queuedBy", correction.delta().jobs().get(dev.jobline.job.JobStatus.QUEUED),
                    "runningBy", correction.delta().jobs().get(dev.jobline.job.JobStatus.RUNNING),
                    "inFlightBy", correction.delta().inFlight());
        }
        tenants.saveSnapshot(tally.snapshot(scanned.scanEndedAt()));
        Log.info("reconcile.finished", "runId", done.runId(), "trigger", done.trigger().label(), "itemsRead", done.itemsRead(),
                "readUnits", done.readUnits(), "resent", done.resent(), "tenantsCorrected", done.tenantsCorrected(),
                "seconds", Duration.between(done.startedAt(), now).toSeconds());
        return done;
    }

    /** A run as the API and the sweeper's answer show it (its cursor and counts so far are its own business). */
    public static Map<String, Object> view(ReconcileRun run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("runId", run.runId());
        view.put("status", run.status().name());
        view.put("trigger", run.trigger().label());
        view.put("startedAt", run.startedAt().toString());
        if (run.scanEndedAt() != null) {
            view.put("scanEndedAt", run.scanEndedAt().toString());
        }
        if (run.finishedAt() != null) {
            view.put("finishedAt", run.finishedAt().toString());
        }
        view.put("itemsRead", run.itemsRead());
        view.put("readUnits", run.readUnits());
        view.put("resent", run.resent());
        view.put("tenantsCorrected", run.tenantsCorrected());
        return view;
    }
}
