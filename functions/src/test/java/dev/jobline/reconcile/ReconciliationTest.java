package dev.jobline.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.store.ReconcileRun;
import dev.jobline.store.ReconcileRunStore;
import dev.jobline.store.TenantStore;
import dev.jobline.store.TypePauses;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciliation on an in-memory table, queue and run record, with a clock and a sleeper that only count. */
class ReconciliationTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private static final Duration STALE = Duration.ofMinutes(15);
    private static final Duration GRACE = Duration.ofMinutes(2);
    private final Lifecycle doubles = new Lifecycle(100);
    private final InMemoryQueue queue = new InMemoryQueue();
    private final ReconcileRunStore runs = ReconcileRunStore.inMemory();
    private final TypePauses pauses = TypePauses.inMemory();
    private final List<Duration> slept = new ArrayList<>();

    private Reconciliation reconciliation(int pageSize, Duration settle) {
        return new Reconciliation(doubles.store, doubles.tenants, runs, queue, pauses, new StaleRule(STALE, GRACE),
                new Reconciliation.Settings(pageSize, 500, settle), doubles.clock, slept::add);
    }

    private final Reconciliation reconciliation = reconciliation(100, Duration.ZERO);

    /** A QUEUED job the queue carries (out of the sweeper's index), as the new submit writes it. */
    private void queued(String jobId) {
        doubles.created(jobId, ECHO);
    }

    private ReconcileRun runToTheEnd() {
        reconciliation.start(ReconcileRun.Trigger.ADMIN);
        return reconciliation.proceed(() -> Duration.ofMinutes(1)).orElseThrow();
    }

    @Test
    void aQueuedJobPastItsStaleTimeIsSentAgainAndAFreshOneIsNot() {
        queued("old");
        doubles.clock.advance(STALE.plusSeconds(1));
        queued("fresh");

        ReconcileRun run = runToTheEnd();

        assertEquals(List.of("old"), queue.sentJobIds());
        assertEquals(1, run.resent());
        assertEquals(ReconcileRun.Status.DONE, run.status());
    }

    @Test
    void aRunningJobIsSentAgainOnlyOnceItsOwnMessageHadItsChanceToComeBack() {
        queued("crashed");
        doubles.lifecycle.claim("crashed", new Lease("gone/m1", doubles.clock.instant().plus(Duration.ofMinutes(5)))).orElseThrow();
        doubles.lifecycle.flush();
        doubles.clock.advance(Duration.ofMinutes(5).plus(GRACE));

        runToTheEnd();
        assertEquals(List.of(), queue.sentJobIds(), "at the lease's end plus the grace, the message may still come back");

        doubles.clock.advance(Duration.ofSeconds(1));
        runToTheEnd();
        assertEquals(List.of("crashed"), queue.sentJobIds());
    }

    @Test
    void terminalJobsTheSweepersJobsAndAPausedTypesJobsAreNotSentAgain() {
        queued("ended");
        doubles.lifecycle.claim("ended", new Lease("w/m1", doubles.clock.instant().plusSeconds(60))).orElseThrow();
        doubles.lifecycle.succeed(doubles.store.find("ended").orElseThrow(), new Lease("w/m1", doubles.clock.instant().plusSeconds(60)),
                "1", null, null, Duration.ZERO).orElseThrow();
        doubles.created("sweepers", ECHO);
        // a job in the sweeper's index (due later than a queue can delay it, or left there by an older version)
        doubles.store.leftInIndex("sweepers", doubles.clock.instant().plus(Duration.ofHours(2)));
        JobType paused = JobType.of("paused", context -> context.payload());
        doubles.created("held", paused);
        pauses.pause("paused", doubles.clock.instant());
        doubles.clock.advance(Duration.ofHours(1));

        ReconcileRun run = runToTheEnd();

        assertEquals(List.of(), queue.sentJobIds());
        assertEquals(3, run.itemsRead());
    }

    @Test
    void aPageWaitsOutItsShareOfTheReadRate() {
        Pacer pacer = new Pacer(500, doubles.clock, slept::add);
        Instant pageStarted = doubles.clock.instant();
        doubles.clock.advance(Duration.ofMillis(100));

        Duration waited = pacer.after(pageStarted, 250);

        assertEquals(Duration.ofMillis(400), waited, "250 units at 500 a second are worth 500 ms, 100 of which the read took");
        assertEquals(List.of(Duration.ofMillis(400)), slept);
        assertEquals(Duration.ZERO, pacer.after(doubles.clock.instant().minusSeconds(1), 250), "a slow page waits no more");
    }

    @Test
    void aRunLargerThanOneInvocationsBudgetGoesOnFromItsCursorInTheNext() {
        for (int i = 0; i < 5; i++) {
            queued("job-" + i);
        }
        doubles.clock.advance(STALE.plusSeconds(1));
        Reconciliation byTwos = reconciliation(2, Duration.ZERO);
        byTwos.start(ReconcileRun.Trigger.SCHEDULE);
        // each call of the budget is one page's worth: 11 s left (one page past the spare), then none
        List<Duration> budget = new ArrayList<>(List.of(Duration.ofSeconds(40), Duration.ofSeconds(11), Duration.ofSeconds(11),
                Duration.ZERO));

        ReconcileRun first = byTwos.proceed(() -> budget.isEmpty() ? Duration.ZERO : budget.remove(0)).orElseThrow();

        assertEquals(ReconcileRun.Status.RUNNING, first.status());
        assertEquals(4, first.itemsRead());
        assertEquals(List.of("job-0", "job-1", "job-2", "job-3"), queue.sentJobIds());
        assertNull(first.heldUntil(), "the invocation let the run go");

        ReconcileRun second = byTwos.proceed(() -> Duration.ofMinutes(1)).orElseThrow();

        assertEquals(ReconcileRun.Status.DONE, second.status());
        assertEquals(5, second.itemsRead());
        assertEquals(5, second.resent());
        assertEquals(List.of("job-0", "job-1", "job-2", "job-3", "job-4"), queue.sentJobIds(), "none read twice");
    }

    @Test
    void anInvocationFindingTheRunHeldByAnotherDoesNothing() {
        queued("job-1");
        doubles.clock.advance(STALE.plusSeconds(1));
        reconciliation.start(ReconcileRun.Trigger.SCHEDULE);
        ReconcileRun started = runs.current().orElseThrow();
        // another invocation holds the run while it reads
        runs.write(started.next(started.cursor(), 0, 0, 0, doubles.clock.instant().plusSeconds(60), null, started.tally()),
                started.version());

        Optional<ReconcileRun> second = reconciliation.proceed(() -> Duration.ofMinutes(1));

        assertTrue(second.isEmpty());
        assertEquals(List.of(), queue.sentJobIds());
    }

    @Test
    void anInvocationThatLosesTheRaceToHoldTheRunStopsQuietly() {
        queued("job-1");
        doubles.clock.advance(STALE.plusSeconds(1));
        ReconcileRunStore racing = new ReconcileRunStore() {
            @Override
            public Optional<ReconcileRun> current() {
                Optional<ReconcileRun> read = runs.current();
                // between this invocation's read and its write, another invocation takes the run
                read.ifPresent(run -> runs.write(run.next(run.cursor(), 0, 0, 0, doubles.clock.instant().plusSeconds(60), null,
                        run.tally()), run.version()));
                return read;
            }

            @Override
            public boolean write(ReconcileRun run, long expectedVersion) {
                return runs.write(run, expectedVersion);
            }
        };
        reconciliation.start(ReconcileRun.Trigger.SCHEDULE);
        Reconciliation loser = new Reconciliation(doubles.store, doubles.tenants, racing, queue, pauses, new StaleRule(STALE, GRACE),
                new Reconciliation.Settings(100, 500, Duration.ZERO), doubles.clock, slept::add);

        assertTrue(loser.proceed(() -> Duration.ofMinutes(1)).isEmpty());
        assertEquals(List.of(), queue.sentJobIds());
    }

    @Test
    void aSecondStartWhileARunIsActiveIsRefused() {
        ReconcileRun first = reconciliation.start(ReconcileRun.Trigger.ADMIN);

        Reconciliation.RunActive refused = assertThrows(Reconciliation.RunActive.class,
                () -> reconciliation.start(ReconcileRun.Trigger.ADMIN));

        assertEquals(first.runId(), refused.run().runId());
    }

    @Test
    void aQuietTenantsCountsLostBetweenAJobsWriteAndThemArePutRight() {
        queued("job-1");
        queued("job-2");
        // the worker claims job-2, finishes it and dies before writing its counts
        Lease lease = new Lease("invocation/m2", doubles.clock.instant().plusSeconds(60));
        doubles.lifecycle.claim("job-2", lease).orElseThrow();
        doubles.lifecycle.succeed(doubles.store.find("job-2").orElseThrow(), lease, "1", null, null, Duration.ZERO).orElseThrow();
        doubles.tenants.failWrites();
        doubles.lifecycle.flush();
        doubles.tenants.heal();
        assertEquals(2, doubles.tenants.of("tenant-a").inFlight(), "job-2's place was never given back");

        ReconcileRun run = runToTheEnd();

        TenantStore.TenantCounts healed = doubles.tenants.of("tenant-a");
        assertEquals(1, run.tenantsCorrected());
        assertEquals(1, healed.inFlight(), "one job is in flight");
        assertEquals(1L, healed.jobs().get(JobStatus.QUEUED));
        assertEquals(0L, healed.jobs().get(JobStatus.RUNNING));
        assertEquals(1L, doubles.tenants.snapshot().orElseThrow().byType().get("echo").queued());
    }

    @Test
    void aTenantWhoseRecordMovedDuringThePassIsLeftForAQuieterOne() {
        queued("job-1");
        doubles.tenants.apply("tenant-a", new TenantStore.Delta(Map.of(JobStatus.QUEUED, 5L), 5, java.math.BigDecimal.ZERO));
        Reconciliation settling = reconciliation(100, Duration.ofMinutes(1));
        settling.start(ReconcileRun.Trigger.ADMIN);
        ReconcileRun scanned = settling.proceed(() -> Duration.ofMinutes(1)).orElseThrow();
        assertEquals(ReconcileRun.Status.RUNNING, scanned.status(), "the scan is over; the counts wait a minute");
        // a submission of the tenant's while the pass settles
        doubles.created("job-2", ECHO);
        doubles.clock.advance(Duration.ofMinutes(1));

        ReconcileRun done = settling.proceed(() -> Duration.ofMinutes(1)).orElseThrow();

        assertEquals(ReconcileRun.Status.DONE, done.status());
        assertEquals(0, done.tenantsCorrected());
        assertEquals(7, doubles.tenants.of("tenant-a").inFlight(), "left as it was: the next pass corrects it");
    }

    @Test
    void theRuleSkipsWhatItDoesNotOwn() {
        StaleRule rule = new StaleRule(STALE, GRACE);
        Instant now = doubles.clock.instant();
        JobStore.ScannedJob old = new JobStore.ScannedJob("j", "t", "echo", null, JobStatus.QUEUED, 0, 3, now.minus(Duration.ofHours(1)),
                null, null, null, null, null, false);
        JobStore.ScannedJob future = new JobStore.ScannedJob("j", "t", "echo", null, JobStatus.QUEUED, 0, 3, now.minus(Duration.ofHours(1)),
                null, null, now.plus(Duration.ofMinutes(10)), null, null, false);
        JobStore.ScannedJob waiting = new JobStore.ScannedJob("j", "t", "echo", null, JobStatus.WAITING, 0, 3, now.minus(Duration.ofHours(1)),
                null, null, null, null, null, false);

        assertTrue(rule.resend(old, now, Set.of()));
        assertFalse(rule.resend(old, now, Set.of("echo")), "a paused type's message is held by the workers");
        assertFalse(rule.resend(future, now, Set.of()), "due in 10 minutes: its delayed message is on its way");
        assertFalse(rule.resend(waiting, now, Set.of()), "a waiting job has no message");
    }
}
