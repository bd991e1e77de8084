package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.Cause;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.QueueAdmin;
import dev.jobline.store.Lease;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Submissions, retries and redrives on the lifecycle: whatever is refused gives back the room it took. */
class JobServiceTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private static final JobRegistry REGISTRY = JobRegistry.builder().register(ECHO).build();
    private final Lifecycle doubles = new Lifecycle(100);
    private final InMemoryQueue queue = new InMemoryQueue();
    private final JobService jobs = new JobService(doubles.lifecycle, doubles.store, queue);

    private SubmitRequest request(String payload) {
        return SubmitRequest.parse("{\"type\":\"echo\",\"payload\":" + payload + "}", REGISTRY, 1024, doubles.clock.instant());
    }

    private long inFlight() {
        return doubles.tenants.of("tenant-a").inFlight();
    }

    @Test
    void aSubmitIsStoredSentCountedAndAnnouncedOnce() {
        JobService.Submitted submitted = jobs.submit("tenant-a", request("1"), null);

        assertTrue(submitted.created());
        assertEquals(List.of(submitted.job().jobId()), queue.sentJobIds());
        assertEquals(List.of("->QUEUED"), doubles.recorded.of(submitted.job().jobId()));
        assertEquals(1, inFlight());
    }

    @Test
    void aRepeatedIdempotentSubmitIsAnsweredWithTheFirstJobAndTakesNoRoom() {
        Job first = jobs.submit("tenant-a", request("1"), "key-1").job();

        JobService.Submitted repeat = jobs.submit("tenant-a", request("1"), "key-1");

        assertFalse(repeat.created());
        assertEquals(first.jobId(), repeat.job().jobId());
        assertEquals(1, inFlight());
        assertEquals(1, doubles.recorded.moves.size());
    }

    @Test
    void aKeyReusedForAnotherRequestIsRefusedAndTakesNoRoom() {
        jobs.submit("tenant-a", request("1"), "key-1");

        Refusal.IdempotencyConflict refused = assertThrows(Refusal.IdempotencyConflict.class,
                () -> jobs.submit("tenant-a", request("2"), "key-1"));

        assertFalse(refused.stillInFlight());
        assertEquals(1, inFlight(), "the refused submit gave back the room it took");
    }

    @Test
    void aKeyWhoseJobStillRunsAfterItsWindowIsRefusedAndTakesNoRoom() {
        jobs.submit("tenant-a", request("1"), "key-1");
        doubles.clock.advance(Idempotency.WINDOW.plusHours(1));

        Refusal.IdempotencyConflict refused = assertThrows(Refusal.IdempotencyConflict.class,
                () -> jobs.submit("tenant-a", request("1"), "key-1"));

        assertTrue(refused.stillInFlight());
        assertEquals(1, inFlight());
    }

    @Test
    void aSubmitThatCannotBeStoredGivesItsRoomBackAndLeavesOnlyAMessageForNoJob() {
        doubles.store.failOn("create");

        assertThrows(IllegalStateException.class, () -> jobs.submit("tenant-a", request("1"), null));

        assertEquals(0, inFlight());
        // sent before the write: it names a job that does not exist, which the worker drops
        assertEquals(1, queue.sentJobIds().size());
        assertTrue(doubles.store.find(queue.sentJobIds().get(0)).isEmpty());
    }

    @Test
    void aSubmitWhoseMessageCannotBeSentWritesNothingAndGivesItsRoomBack() {
        queue.failSends();

        assertThrows(JobQueue.QueueUnavailable.class, () -> jobs.submit("tenant-a", request("1"), null));

        assertEquals(0, inFlight());
        assertEquals(0, doubles.tenants.of("tenant-a").jobs().getOrDefault(JobStatus.QUEUED, 0L), "its count is given back too");
        assertTrue(doubles.recorded.moves.isEmpty(), "nothing written, nothing announced");
    }

    @Test
    void aTenantsRetryAndAnOperatorsRedriveMakeTheSameTransition() {
        Job job = jobs.submit("tenant-a", request("1"), null).job();
        Lease lease = new Lease("invocation/m1", doubles.clock.instant().plusSeconds(60));
        doubles.lifecycle.claim(job.jobId(), lease).orElseThrow();
        doubles.lifecycle.fail(doubles.store.find(job.jobId()).orElseThrow(), lease, new JobError("X", "x", false), null, Duration.ZERO);
        doubles.lifecycle.flush();
        AdminService admin = new AdminService(jobs, doubles.store, doubles.tenants, queue,
                new QueueAdmin(null, Map.of(), null), REGISTRY, doubles.clock, 0);

        admin.redrive(new AdminService.RedriveFilter(null, null, Instant.EPOCH, doubles.clock.instant(), false, 10, false));

        Job redriven = doubles.store.find(job.jobId()).orElseThrow();
        assertEquals(JobStatus.QUEUED, redriven.status());
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>FAILED", "FAILED>QUEUED"), doubles.recorded.of(job.jobId()));
        assertEquals(Cause.ADMIN, doubles.recorded.moves.get(3).cause());
        assertEquals(1, inFlight(), "the redriven job took its place again");
        assertThrows(Refusal.WrongStatus.class, () -> jobs.retry("tenant-a", job.jobId()), "QUEUED cannot be retried");
    }

    @Test
    void aWaitWithoutAChangeReadsTheJobsRevisionAboutTwiceASecondAndAnswersTheJobAtItsEnd() {
        // given a queued job nobody changes, and a store that counts the revision reads (each one GetItem in DynamoDB)
        Job job = jobs.submit("tenant-a", request("1"), null).job();
        int[] reads = {0};
        dev.jobline.store.JobStore counting = (dev.jobline.store.JobStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.jobline.store.JobStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("revision")) {
                        reads[0]++;
                    }
                    return method.invoke(doubles.store, args);
                });
        JobService waiting = new JobService(doubles.lifecycle, counting, queue);

        // when a caller waits 3 s for a version it already has to change
        long started = System.nanoTime();
        Job answered = waiting.await("tenant-a", job.jobId(), revision -> revision.version() != job.version(), Duration.ofSeconds(3));
        double waited = (System.nanoTime() - started) / 1e9;

        // then it answers the same job at the end of the wait, having read about 1 / WAIT_POLL times a second
        assertEquals(job.version(), answered.version());
        assertTrue(waited >= 3 && waited < 4, waited + " s");
        // one read per 500 ms, and one more in the wait's last sliver: 6 or 7 in 3 s
        assertTrue(reads[0] >= 5 && reads[0] <= 7, reads[0] + " reads in " + waited + " s");
    }

    @Test
    void aWaitAnswersOnceTheRevisionChanges() throws Exception {
        Job job = jobs.submit("tenant-a", request("1"), null).job();
        java.util.concurrent.CompletableFuture<Job> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                jobs.await("tenant-a", job.jobId(), revision -> revision.version() != job.version(), Duration.ofSeconds(10)));
        Thread.sleep(700);

        jobs.cancel("tenant-a", job.jobId());

        Job answered = waiting.get(2, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(JobStatus.CANCELLED, answered.status());
    }
}
