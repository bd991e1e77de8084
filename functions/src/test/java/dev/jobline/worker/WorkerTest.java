package dev.jobline.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.RetryPolicy;
import dev.jobline.lambda.Deadline;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.Lease;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The worker on the lifecycle, with an in-memory table and queue: what it writes, sends and announces. */
class WorkerTest {
    private final AtomicInteger runs = new AtomicInteger();
    private final JobType count = JobType.of("count", context -> runs.incrementAndGet());
    private final JobType flaky = JobType.of("flaky", context -> {
        throw JobFailure.retryable("FLAKY", "try again");
    }).withRetryPolicy(new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    private final Lifecycle doubles = new Lifecycle(100);
    private final InMemoryQueue queue = new InMemoryQueue();
    private final Worker worker = new Worker(doubles.lifecycle, doubles.store, queue,
            JobRegistry.builder().register(count).register(flaky).build(),
            WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ZERO, 2, 1024), new Random(3));

    private List<String> deliver(ReceivedMessage message) {
        return worker.process(List.of(message), "invocation-" + runs.get(), Deadline.none());
    }

    @Test
    void aJobRunsOnceAndEachOfItsMovesIsAnnouncedOnce() {
        Job job = doubles.created("job-1", count);

        List<String> redeliver = deliver(InMemoryQueue.received("job-1", "m1"));

        assertEquals(List.of(), redeliver);
        assertEquals(1, runs.get());
        assertEquals(JobStatus.SUCCEEDED, doubles.store.find(job.jobId()).orElseThrow().status());
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>SUCCEEDED"), doubles.recorded.of("job-1"));
    }

    @Test
    void aMessageAheadOfItsJobsWriteComesBackShortlyAndRunsTheJobOnceTheWriteHasLanded() {
        // sent before the write (send before write), received before the write lands
        ReceivedMessage early = InMemoryQueue.sentAt("job-1", "m1", 1, doubles.clock.instant());
        doubles.clock.advance(Duration.ofMillis(200));

        assertEquals(List.of("m1"), deliver(early), "not dropped: its job may still be written");
        assertEquals(List.of(Duration.ofSeconds(1)), queue.hidden, "back in a second");

        doubles.created("job-1", count);
        doubles.clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), deliver(InMemoryQueue.sentAt("job-1", "m1", 2, doubles.clock.instant().minusSeconds(1))));
        assertEquals(1, runs.get());
    }

    @Test
    void aMessageWhoseJobWasNeverWrittenIsDroppedOnceItIsOlderThanTheGrace() {
        ReceivedMessage orphan = InMemoryQueue.sentAt("job-never", "m1", 4, doubles.clock.instant());
        doubles.clock.advance(Worker.WRITE_GRACE.plusSeconds(1));

        assertEquals(List.of(), deliver(orphan), "acknowledged: nothing will ever run it");
        assertEquals(List.of(), queue.hidden);
        assertEquals(0, runs.get());
    }

    @Test
    void aRetrysMessageThatFindsTheJobStillFailedWaitsForTheRetrysWriteButACopyOfAnOldOneIsADuplicate() {
        JobType once = JobType.of("broken", context -> {
            throw JobFailure.permanent("BROKEN", "no");
        });
        Worker onceWorker = new Worker(doubles.lifecycle, doubles.store, queue, JobRegistry.builder().register(once).build(),
                WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ZERO, 2, 1024), new Random(3));
        doubles.created("job-1", once);
        onceWorker.process(List.of(InMemoryQueue.received("job-1", "m0")), "i0", Deadline.none());
        assertEquals(JobStatus.FAILED, doubles.store.find("job-1").orElseThrow().status());
        doubles.clock.advance(Duration.ofSeconds(30));
        // a retry's message, sent before the retry's write (which makes the next version)
        long version = doubles.store.find("job-1").orElseThrow().version();
        ReceivedMessage retrys = InMemoryQueue.sentBeforeWrite("job-1", "m1", doubles.clock.instant(), version + 1);

        assertEquals(List.of("m1"), onceWorker.process(List.of(retrys), "i1", Deadline.none()), "kept for the retry's write");
        // a copy of its own message, come again: nothing more to do
        ReceivedMessage stale = InMemoryQueue.sentAt("job-1", "m0", 2, doubles.clock.instant().minusSeconds(40));
        assertEquals(List.of(), onceWorker.process(List.of(stale), "i2", Deadline.none()));
        // the retry's message once its write landed runs it
        assertTrue(doubles.lifecycle.retry(doubles.store.find("job-1").orElseThrow(), dev.jobline.lifecycle.Cause.TENANT).isPresent());
        assertEquals(JobStatus.QUEUED, doubles.store.find("job-1").orElseThrow().status());
        assertEquals(version + 1, doubles.store.find("job-1").orElseThrow().version());
    }

    @Test
    void aCopyOfARunningJobsMessageIsHandedOverAndNeitherRunsNorEndsIt() {
        doubles.created("job-1", count);
        doubles.lifecycle.claim("job-1", new Lease("other/m0", doubles.clock.instant().plusSeconds(30))).orElseThrow();
        int moves = doubles.recorded.moves.size();

        List<String> redeliver = deliver(InMemoryQueue.received("job-1", "m1"));

        assertEquals(List.of(), redeliver, "acknowledged...");
        assertEquals(1, queue.sends(), "...because a replacement was sent");
        assertEquals(Duration.ofSeconds(31), queue.sent.get(0).delay(), "due a second after the lease ends");
        assertEquals(0, runs.get());
        assertEquals(moves, doubles.recorded.moves.size(), "nothing moved");
    }

    @Test
    void aRetryWhoseVisibilityCannotBeSetSendsAReplacementDueAtTheRetry() {
        doubles.created("job-1", flaky);
        queue.failHides();

        List<String> redeliver = deliver(InMemoryQueue.received("job-1", "m1"));

        Job job = doubles.store.find("job-1").orElseThrow();
        assertEquals(JobStatus.QUEUED, job.status());
        assertEquals(List.of(), redeliver, "the replacement carries the job");
        assertEquals(List.of("job-1"), queue.sentJobIds());
        assertTrue(queue.sent.get(0).delay().compareTo(Duration.ofSeconds(10)) <= 0);
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>QUEUED"), doubles.recorded.of("job-1"));
    }

    @Test
    void aCrashedLastAttemptIsFailedByTheWorkerThatReceivesItsMessage() {
        JobType once = JobType.of("count", context -> runs.incrementAndGet()).withMaxAttempts(1);
        doubles.created("job-1", once);
        doubles.lifecycle.claim("job-1", new Lease("crashed/m0", doubles.clock.instant().plusSeconds(1))).orElseThrow();
        doubles.clock.advance(Duration.ofSeconds(5));

        List<String> redeliver = deliver(InMemoryQueue.received("job-1", "m0"));

        assertEquals(List.of(), redeliver);
        Job job = doubles.store.find("job-1").orElseThrow();
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        JobMoved last = doubles.recorded.moves.get(doubles.recorded.moves.size() - 1);
        assertTrue(last.leaseExpired(), "counted as a recovery");
        assertEquals(0, runs.get());
    }

    @Test
    void theMessageOfAnEndWhoseInvocationDiedCountsThatEndWhenItComesBackAndOnlyThen() {
        doubles.created("job-1", count);
        // the attempt succeeds, and the invocation dies before its counts are written
        doubles.tenants.failWrites();
        deliver(InMemoryQueue.received("job-1", "m1"));
        doubles.tenants.heal();
        assertEquals(0L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.SUCCEEDED));

        deliver(InMemoryQueue.received("job-1", "copy"));
        deliver(InMemoryQueue.received("job-1", "m1", 1));
        assertEquals(0L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.SUCCEEDED),
                "another message, or the same receive handed over again, says nothing of the end's counts");
        deliver(InMemoryQueue.received("job-1", "m1", 2));
        deliver(InMemoryQueue.received("job-1", "m1", 3));

        assertEquals(1L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.SUCCEEDED), "counted once, when its own message came back");
        assertEquals(1, runs.get());
    }
}
