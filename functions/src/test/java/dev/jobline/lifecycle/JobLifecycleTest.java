package dev.jobline.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.cost.CostModel;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.Refusal;
import dev.jobline.store.DueJob;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.testing.Lifecycle;
import dev.jobline.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every status change goes through the lifecycle: checked by the table, one write, one announcement. */
class JobLifecycleTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private final Lifecycle doubles = new Lifecycle(100);
    private final JobLifecycle lifecycle = doubles.lifecycle;

    private Lease lease() {
        return new Lease("invocation/message", doubles.clock.instant().plusSeconds(60));
    }

    @ParameterizedTest
    @EnumSource(JobStatus.class)
    void aRetryFromAStatusTheTableDoesNotAllowIsRefusedBeforeAnyWrite(JobStatus from) {
        Job job = doubles.created("job-1", ECHO);
        int writes = doubles.store.writes.size();

        if (from.canMoveTo(JobStatus.QUEUED)) {
            // allowed by the table: the write is tried (and loses, the job being QUEUED)
            assertEquals(Optional.empty(), lifecycle.retry(inStatus(job, from), Cause.TENANT));
        } else {
            assertThrows(IllegalTransition.class, () -> lifecycle.retry(inStatus(job, from), Cause.TENANT));
            assertEquals(writes, doubles.store.writes.size(), "nothing written");
        }
    }

    @ParameterizedTest
    @EnumSource(JobStatus.class)
    void aDeadLetterEndFromAStatusTheTableDoesNotAllowIsRefusedBeforeAnyWrite(JobStatus status) {
        Job created = doubles.created("job-1", ECHO);
        Job job = inStatus(created, status);
        int writes = doubles.store.writes.size();

        if (status.canMoveTo(JobStatus.FAILED)) {
            lifecycle.failDeadLettered(job, new JobError(JobError.DEAD_LETTERED, "dead", false));
        } else {
            assertThrows(IllegalTransition.class, () -> lifecycle.failDeadLettered(job, new JobError(JobError.DEAD_LETTERED, "dead", false)));
            assertEquals(writes, doubles.store.writes.size(), "nothing written");
        }
    }

    @Test
    void eachTransitionOfAJobsLifeIsAnnouncedOnceToEveryListener() {
        RecordingListener second = new RecordingListener();
        JobLifecycle both = new JobLifecycle(doubles.store, Admission.UNLIMITED, List.of(doubles.recorded, second), doubles.clock);
        Job job = both.create(doubles.newJob("job-1", ECHO), CostModel.submit(1)).orElseThrow();
        Lease first = lease();
        both.claim(job.jobId(), first).orElseThrow();
        Job claimed = doubles.store.find(job.jobId()).orElseThrow();
        both.awaitRetry(claimed, first, new JobError("X", "x", true), doubles.clock.instant(), null, Duration.ZERO).orElseThrow();
        Lease again = lease();
        both.claim(job.jobId(), again).orElseThrow();
        both.succeed(doubles.store.find(job.jobId()).orElseThrow(), again, "1", null, null, Duration.ZERO).orElseThrow();

        List<String> expected = List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>QUEUED", "QUEUED>RUNNING",
                "RUNNING>SUCCEEDED");
        assertEquals(expected, doubles.recorded.of("job-1"));
        assertEquals(expected, second.of("job-1"));
    }

    @Test
    void aWriteThatLosesItsRaceIsAnnouncedToNobody() {
        Job job = doubles.created("job-1", ECHO);
        Lease winner = lease();
        lifecycle.claim(job.jobId(), winner).orElseThrow();
        int announced = doubles.recorded.moves.size();

        Optional<Job> late = lifecycle.succeed(doubles.store.find(job.jobId()).orElseThrow(), new Lease("stale/attempt",
                doubles.clock.instant()), "1", null, null, Duration.ZERO);

        assertTrue(late.isEmpty());
        assertEquals(announced, doubles.recorded.moves.size());
    }

    @Test
    void aListenerThatThrowsTakesNothingFromTheOthersNorFromTheWrite() {
        JobListener broken = event -> {
            throw new IllegalStateException("broken listener");
        };
        JobLifecycle withBroken = new JobLifecycle(doubles.store, Admission.UNLIMITED, List.of(broken, doubles.recorded), doubles.clock);

        Optional<Job> created = withBroken.create(doubles.newJob("job-1", ECHO), CostModel.submit(1));

        assertTrue(created.isPresent());
        assertEquals(List.of("->QUEUED"), doubles.recorded.of("job-1"));
    }

    @Test
    void aJobWithoutRoomInItsTenantsQuotaIsNotWritten() {
        Lifecycle full = new Lifecycle(1);
        full.created("job-1", ECHO);

        assertThrows(Refusal.QuotaExceeded.class, () -> full.lifecycle.create(full.newJob("job-2", ECHO), CostModel.submit(1)));

        assertTrue(full.store.find("job-2").isEmpty());
        assertEquals(1, full.tenants.of("tenant-a").inFlight());
    }

    @Test
    void aCreateThatFindsItsIdTakenGivesTheRoomBack() {
        doubles.created("job-1", ECHO);

        Optional<Job> again = lifecycle.create(doubles.newJob("job-1", ECHO), CostModel.submit(1));

        assertTrue(again.isEmpty());
        assertEquals(1, doubles.tenants.of("tenant-a").inFlight(), "one job, one place");
    }

    @Test
    void aCreateThatFailsGivesTheRoomBack() {
        doubles.store.failOn("create");

        assertThrows(IllegalStateException.class, () -> lifecycle.create(doubles.newJob("job-1", ECHO), CostModel.submit(1)));

        assertEquals(0, doubles.tenants.of("tenant-a").inFlight());
    }

    @Test
    void anEndGivesTheTenantsPlaceBackAndCountsItInTheSameWrite() {
        Job job = doubles.created("job-1", ECHO);
        Lease lease = lease();
        lifecycle.claim(job.jobId(), lease).orElseThrow();
        lifecycle.succeed(doubles.store.find(job.jobId()).orElseThrow(), lease, "1", null, null, Duration.ZERO).orElseThrow();

        lifecycle.flush();

        var counts = doubles.tenants.of("tenant-a");
        assertEquals(0, counts.inFlight());
        assertEquals(Map.of(JobStatus.WAITING, 0L, JobStatus.QUEUED, 0L, JobStatus.RUNNING, 0L, JobStatus.SUCCEEDED, 1L,
                JobStatus.FAILED, 0L, JobStatus.CANCELLED, 0L), counts.jobs());
    }

    @Test
    void anEndWhoseCountsWereLostIsCountedOnceWhenItsMessageComesBack() {
        Job job = doubles.created("job-1", ECHO);
        Lease lease = lease();
        lifecycle.claim(job.jobId(), lease).orElseThrow();
        lifecycle.succeed(doubles.store.find(job.jobId()).orElseThrow(), lease, "1", null, null, Duration.ZERO).orElseThrow();
        // the invocation dies: nothing it collected is written
        doubles.tenants.failWrites();
        lifecycle.flush();
        doubles.tenants.heal();
        Job ended = doubles.store.find(job.jobId()).orElseThrow();

        assertTrue(lifecycle.recountEnd(ended).isPresent());
        assertTrue(lifecycle.recountEnd(doubles.store.find(job.jobId()).orElseThrow()).isEmpty(), "only once");
        lifecycle.flush();

        assertEquals(1L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.SUCCEEDED));
    }

    @Test
    void theSweepersRecoveriesAreAnnouncedAsExpiredLeases() {
        Job job = doubles.created("job-1", ECHO);
        lifecycle.claim(job.jobId(), new Lease("crashed/1", doubles.clock.instant().plusSeconds(1))).orElseThrow();
        doubles.clock.advance(Duration.ofSeconds(5));
        Job running = doubles.store.find(job.jobId()).orElseThrow();

        lifecycle.requeueExpired(DueJob.of(running), new JobError(JobError.LEASE_EXPIRED, "gone", true), Cause.SWEEPER)
                .orElseThrow();

        JobMoved requeued = doubles.recorded.moves.get(doubles.recorded.moves.size() - 1);
        assertEquals(Cause.SWEEPER, requeued.cause());
        assertTrue(requeued.leaseExpired());
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>QUEUED"), doubles.recorded.of("job-1"));
    }

    @Test
    void theStoreAnswersWithTheJobAsWritten() {
        Job job = doubles.created("job-1", ECHO);
        Optional<JobStore.Claim> claimed = lifecycle.claim(job.jobId(), lease());

        assertEquals(JobStatus.RUNNING, claimed.orElseThrow().job().status());
        assertEquals(JobStatus.QUEUED, claimed.orElseThrow().previous());
    }

    /** The job as read in another status (for a write the table must refuse, or the store must lose). */
    private static Job inStatus(Job created, JobStatus status) {
        return new Job(created.jobId(), created.tenantId(), created.type(), status, created.payload(), 0, 3, 30,
                created.createdAt(), created.updatedAt(), null, null, null, null, null, null, null, null, false, null, null,
                created.version(), created.priority(), null, null, null, null, null, null, null, null, created.dependsOn(), created.dependents());
    }
}
