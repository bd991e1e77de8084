package dev.jobline.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.cost.CostModel;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyScope;
import dev.jobline.job.Refusal;
import dev.jobline.store.DueJob;
import dev.jobline.store.Lease;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Concurrency keys through the lifecycle: one holder per key, given back by every end, never held for nothing. */
class ConcurrencyKeysTest {
    private static final JobType SCAN = JobType.of("scan", context -> null).withMaxAttempts(2);
    private final Lifecycle doubles = new Lifecycle(100, dev.jobline.job.JobRegistry.builder().register(SCAN).build(), 0);
    private final JobLifecycle lifecycle = doubles.lifecycle;

    private Job keyed(String jobId, String key, KeyScope scope) {
        return doubles.newJob(jobId, SCAN).withKey(new JobKey(key, scope, doubles.clock.instant().plus(Duration.ofHours(1))));
    }

    private Job create(Job job) {
        Job created = lifecycle.create(job, CostModel.submit(1)).orElseThrow();
        lifecycle.flush();
        return created;
    }

    private Lease lease(String owner) {
        return new Lease(owner, doubles.clock.instant().plusSeconds(60));
    }

    @Test
    void aSecondJobWithAHeldKeyIsRefusedNamingTheHolderAndIsNotStored() {
        create(keyed("job-1", "site-42", KeyScope.ACTIVE));

        Refusal.KeyConflict conflict = assertThrows(Refusal.KeyConflict.class,
                () -> lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)));

        assertEquals("job-1", conflict.holderId());
        assertEquals(JobStatus.QUEUED, conflict.holder().status());
        assertTrue(doubles.store.find("job-2").isEmpty());
        lifecycle.flush();
        assertEquals(1, doubles.tenants.of("tenant-a").inFlight(), "the refused job's room was given back");
    }

    @Test
    void keysAreATenantsOwn() {
        create(keyed("job-1", "site-42", KeyScope.ACTIVE));
        Job other = Job.submitted("job-2", "tenant-b", SCAN, "{}", 2, 30, doubles.clock.instant())
                .withKey(new JobKey("site-42", KeyScope.ACTIVE, doubles.clock.instant().plusSeconds(60)));

        assertTrue(lifecycle.create(other, CostModel.submit(1)).isPresent());
    }

    /** Every way a job holding an active key can end, from QUEUED after its creation. */
    static Stream<Arguments> ends() {
        BiConsumer<Lifecycle, Job> succeed = (d, job) -> {
            Lease lease = new Lease("w/m#1", d.clock.instant().plusSeconds(60));
            Job running = d.lifecycle.claim(job.jobId(), lease).orElseThrow().job();
            d.lifecycle.succeed(running, lease, "{}", null, null, Duration.ZERO).orElseThrow();
        };
        BiConsumer<Lifecycle, Job> failPermanently = (d, job) -> {
            Lease lease = new Lease("w/m#1", d.clock.instant().plusSeconds(60));
            Job running = d.lifecycle.claim(job.jobId(), lease).orElseThrow().job();
            d.lifecycle.fail(running, lease, new JobError("BAD", "bad input", false), null, Duration.ZERO).orElseThrow();
        };
        BiConsumer<Lifecycle, Job> exhaustAttempts = (d, job) -> {
            Lease first = new Lease("w/m#1", d.clock.instant().plusSeconds(60));
            Job running = d.lifecycle.claim(job.jobId(), first).orElseThrow().job();
            d.lifecycle.awaitRetry(running, first, new JobError("FLAKY", "again", true), d.clock.instant(), null, Duration.ZERO)
                    .orElseThrow();
            Lease second = new Lease("w/m#2", d.clock.instant().plusSeconds(60));
            running = d.lifecycle.claim(job.jobId(), second).orElseThrow().job();
            d.lifecycle.fail(running, second, new JobError("FLAKY", "again", true).asFinal(JobError.ATTEMPTS_EXHAUSTED), null,
                    Duration.ZERO).orElseThrow();
        };
        BiConsumer<Lifecycle, Job> cancelQueued = (d, job) -> d.lifecycle.cancelQueued(job.jobId(), job.tenantId()).orElseThrow();
        BiConsumer<Lifecycle, Job> cancelRunning = (d, job) -> {
            Lease lease = new Lease("w/m#1", d.clock.instant().plusSeconds(60));
            Job running = d.lifecycle.claim(job.jobId(), lease).orElseThrow().job();
            d.store.requestCancel(job.jobId(), job.tenantId(), d.clock.instant()).orElseThrow();
            d.lifecycle.cancelRunning(running, lease, null, Duration.ZERO).orElseThrow();
        };
        BiConsumer<Lifecycle, Job> deadLetter = (d, job) -> d.lifecycle.failDeadLettered(d.store.find(job.jobId()).orElseThrow(),
                new JobError(JobError.DEAD_LETTERED, "its message was dead-lettered", false)).orElseThrow();
        BiConsumer<Lifecycle, Job> sweeperFailsTheCrashedLastAttempt = (d, job) -> {
            Lease first = new Lease("w/m#1", d.clock.instant().plusSeconds(1));
            Job running = d.lifecycle.claim(job.jobId(), first).orElseThrow().job();
            d.lifecycle.awaitRetry(running, first, new JobError("FLAKY", "again", true), d.clock.instant(), null, Duration.ZERO)
                    .orElseThrow();
            d.lifecycle.claim(job.jobId(), new Lease("crashed/m#2", d.clock.instant().plusSeconds(1))).orElseThrow();
            d.clock.advance(Duration.ofSeconds(5));
            d.lifecycle.failExpired(DueJob.of(d.store.find(job.jobId()).orElseThrow()),
                    new JobError(JobError.LEASE_EXPIRED, "lease expired", true).asFinal(JobError.ATTEMPTS_EXHAUSTED), Cause.SWEEPER)
                    .orElseThrow();
        };
        return Stream.of(Arguments.of("success", succeed), Arguments.of("permanent failure", failPermanently),
                Arguments.of("attempts exhausted", exhaustAttempts), Arguments.of("cancel while queued", cancelQueued),
                Arguments.of("cancel while running", cancelRunning), Arguments.of("dead letter", deadLetter),
                Arguments.of("sweeper", sweeperFailsTheCrashedLastAttempt));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ends")
    void everyEndGivesTheKeyBackSoTheNextSubmissionGetsIt(String end, BiConsumer<Lifecycle, Job> ending) {
        Job first = create(keyed("job-1", "site-42", KeyScope.ACTIVE));

        ending.accept(doubles, first);

        assertTrue(doubles.store.find("job-1").orElseThrow().status().isTerminal(), end + " ended the job");
        assertEquals(List.of("tenant-a/site-42/job-1"), doubles.keyStore.givenBack, "given back by the end itself");
        assertTrue(lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)).isPresent());
    }

    @Test
    void aRetryBetweenAttemptsKeepsAnActiveKey() {
        Job job = create(keyed("job-1", "site-42", KeyScope.ACTIVE));
        Lease lease = lease("w/m#1");
        Job running = lifecycle.claim(job.jobId(), lease).orElseThrow().job();
        lifecycle.awaitRetry(running, lease, new JobError("FLAKY", "again", true), doubles.clock.instant(), null, Duration.ZERO);

        assertThrows(Refusal.KeyConflict.class, () -> lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)));
        assertEquals(List.of(), doubles.keyStore.givenBack);
    }

    @Test
    void aQueuedScopeKeyIsGivenBackWhenItsJobStartsSoOneMoreMayWaitWhileItRuns() {
        Job job = create(keyed("job-1", "report", KeyScope.QUEUED));
        assertThrows(Refusal.KeyConflict.class, () -> lifecycle.create(keyed("job-2", "report", KeyScope.QUEUED), CostModel.submit(1)));

        lifecycle.claim(job.jobId(), lease("w/m#1")).orElseThrow();

        assertTrue(lifecycle.create(keyed("job-2", "report", KeyScope.QUEUED), CostModel.submit(1)).isPresent());
        assertThrows(Refusal.KeyConflict.class, () -> lifecycle.create(keyed("job-3", "report", KeyScope.QUEUED), CostModel.submit(1)));
    }

    @Test
    void aKeyWhoseTimeRanOutIsFreeEvenWhileItsJobStillRuns() {
        Job job = create(doubles.newJob("job-1", SCAN).withKey(new JobKey("site-42", KeyScope.ACTIVE,
                doubles.clock.instant().plusSeconds(30))));
        lifecycle.claim(job.jobId(), lease("w/m#1")).orElseThrow();
        assertThrows(Refusal.KeyConflict.class, () -> lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)));

        doubles.clock.advance(Duration.ofSeconds(31));

        assertTrue(lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)).isPresent());
        assertEquals("job-2", doubles.keyStore.holder("tenant-a", "site-42"));
    }

    @Test
    void aKeyWhoseGiveBackWasLostIsTakenOverByTheNextSubmissionThatWantsIt() {
        Job job = create(keyed("job-1", "site-42", KeyScope.ACTIVE));
        doubles.keyStore.failGiveBacks(true);
        lifecycle.cancelQueued(job.jobId(), job.tenantId()).orElseThrow();
        doubles.keyStore.failGiveBacks(false);
        assertEquals("job-1", doubles.keyStore.holder("tenant-a", "site-42"), "the give-back was lost");

        assertTrue(lifecycle.create(keyed("job-2", "site-42", KeyScope.ACTIVE), CostModel.submit(1)).isPresent());
        assertEquals("job-2", doubles.keyStore.holder("tenant-a", "site-42"));
    }

    @Test
    void theSweeperGivesBackKeysHeldForNothingAndKeepsTheRest() {
        // held for nothing: its job ended and the give-back was lost
        Job ended = create(keyed("job-1", "ended", KeyScope.ACTIVE));
        doubles.keyStore.failGiveBacks(true);
        lifecycle.cancelQueued(ended.jobId(), ended.tenantId()).orElseThrow();
        doubles.keyStore.failGiveBacks(false);
        // held for nothing: its job's write never came (the function died between the key and the job)
        doubles.keyStore.take("tenant-a", new JobKey("orphan", KeyScope.ACTIVE, doubles.clock.instant().plus(Duration.ofHours(1))),
                "job-never-written", doubles.clock.instant());
        // run out: its time passed while its job still runs
        Job longRunning = create(doubles.newJob("job-3", SCAN).withKey(new JobKey("ttl", KeyScope.ACTIVE,
                doubles.clock.instant().plusSeconds(30))));
        lifecycle.claim(longRunning.jobId(), lease("w/m#1")).orElseThrow();
        // needed: a waiting job's key
        create(keyed("job-4", "live", KeyScope.ACTIVE));
        doubles.clock.advance(ConcurrencyKeys.WRITE_GRACE.plusSeconds(1));
        // needed: a key just taken for a job whose write is on its way
        doubles.keyStore.take("tenant-a", new JobKey("in-flight-write", KeyScope.ACTIVE, doubles.clock.instant().plusSeconds(600)),
                "job-being-written", doubles.clock.instant());

        int freed = doubles.keys.giveBackStale(0, doubles.clock.instant());

        assertEquals(3, freed);
        assertNull(doubles.keyStore.holder("tenant-a", "ended"));
        assertNull(doubles.keyStore.holder("tenant-a", "orphan"));
        assertNull(doubles.keyStore.holder("tenant-a", "ttl"));
        assertEquals("job-4", doubles.keyStore.holder("tenant-a", "live"));
        assertEquals("job-being-written", doubles.keyStore.holder("tenant-a", "in-flight-write"));
    }

    @Test
    void aRetryTakesItsKeyAgainOrIsRefusedWhenAnotherJobHasItSince() {
        Job first = create(keyed("job-1", "site-42", KeyScope.ACTIVE));
        lifecycle.cancelQueued(first.jobId(), first.tenantId()).orElseThrow();
        create(keyed("job-2", "site-42", KeyScope.ACTIVE));

        Job cancelled = doubles.store.find("job-1").orElseThrow();
        Refusal.KeyConflict conflict = assertThrows(Refusal.KeyConflict.class, () -> lifecycle.retry(cancelled, Cause.TENANT));
        assertEquals("job-2", conflict.holderId());
        assertEquals(JobStatus.CANCELLED, doubles.store.find("job-1").orElseThrow().status(), "not retried");

        lifecycle.cancelQueued("job-2", "tenant-a").orElseThrow();
        Job retried = lifecycle.retry(cancelled, Cause.TENANT).orElseThrow();
        assertEquals(JobStatus.QUEUED, retried.status());
        assertEquals("job-1", doubles.keyStore.holder("tenant-a", "site-42"));
    }

    @Test
    void aJobWhoseWriteFailsGivesBackTheKeyItTook() {
        doubles.store.failOn("create");

        assertThrows(IllegalStateException.class, () -> lifecycle.create(keyed("job-1", "site-42", KeyScope.ACTIVE), CostModel.submit(1)));

        assertNull(doubles.keyStore.holder("tenant-a", "site-42"));
    }

    @Test
    void anIdempotentRepeatOfTheHoldersOwnSubmissionIsNoConflictAndKeepsTheKey() {
        Job job = create(keyed("job-1", "site-42", KeyScope.ACTIVE));

        // the same id again (an Idempotency-Key repeat): not created, and the key stays its own
        assertTrue(lifecycle.create(job, CostModel.submit(1)).isEmpty());

        assertEquals("job-1", doubles.keyStore.holder("tenant-a", "site-42"));
    }

    @Test
    void aBatchAdmitsTheFirstJobOfAKeyAndSaysWhichHoldsItForTheOthers() {
        List<JobLifecycle.Admitted> admitted = lifecycle.createAll("tenant-a", List.of(keyed("job-1", "k", KeyScope.ACTIVE),
                keyed("job-2", "k", KeyScope.ACTIVE), keyed("job-3", "other", KeyScope.ACTIVE)), CostModel.submit(1));
        lifecycle.flush();

        assertEquals("job-1", admitted.get(0).job().jobId());
        assertNull(admitted.get(1).job());
        assertEquals("job-1", admitted.get(1).conflict().holderId());
        assertEquals("job-3", admitted.get(2).job().jobId());
        assertEquals(2, doubles.tenants.of("tenant-a").inFlight(), "the refused item's room was given back");
    }
}
