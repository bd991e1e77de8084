package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.RetryPolicy;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.queue.JobMessage;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A crashed or frozen attempt's job comes back through its own queue, never by deleting the one message that would
 * bring it back: the claim can come after the receive (the batching window, the records before it), so a copy can
 * arrive while a lease is live; a worker can wake past its lease and find its receipt handle stale.
 */
@ExtendWith(LocalAwsExtension.class)
class CrashRecoveryIntegrationTest {
    /** Short leases, so the tests wait seconds: a lease of 2 s, messages hidden 4 s. */
    private static final Map<String, String> SHORT_LEASE = Map.of("LEASE_SECONDS", "2", "VISIBILITY_SECONDS", "4");
    private static final RetryPolicy ONE_SECOND = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1));

    /** The attempt that each run of the "stall-once" type saw, and a worker whose first attempt stands still. */
    private final AtomicReference<FrozenWorker> stalled = new AtomicReference<>();

    /** First attempt: stands still until its worker thaws, then fails (retryably) or returns "late"; later ones return "fresh". */
    private JobType stallOnce(boolean firstFails) {
        return JobType.of("stall-once", context -> {
            if (context.attempt() == 1) {
                stalled.get().awaitThaw();
                if (firstFails) {
                    throw JobFailure.retryable("WOKE_LATE", "the first attempt failed after waking");
                }
                return "late";
            }
            return "fresh";
        }).withRetryPolicy(ONE_SECOND);
    }

    private static int delayedMessages(Jobline jobline) {
        return Integer.parseInt(jobline.aws.sqsClient().getQueueAttributes(b -> b.queueUrl(jobline.queueUrl)
                .attributeNamesWithStrings("ApproximateNumberOfMessagesDelayed")).attributesAsStrings()
                .get("ApproximateNumberOfMessagesDelayed"));
    }

    @Test
    void aCopyArrivingWhileACrashedAttemptsLeaseIsLiveIsHandedOverAndTheJobRunsAfterTheLease(LocalAws aws,
            LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "3", "VISIBILITY_SECONDS", "5"));
        String jobId = jobline.submit("count", "{}");
        // the message was received, its claim came late, and that worker died: the message returns before the lease ends
        jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(1));
        Instant claimed = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed", claimed.plusSeconds(3)), claimed).isPresent());

        SQSEvent copy = jobline.receive(Duration.ofSeconds(3));
        assertEquals(1, copy.getRecords().size(), "the message came back");
        SQSBatchResponse answer = jobline.deliver(copy);

        assertTrue(answer.getBatchItemFailures().isEmpty(), "the copy is acknowledged...");
        assertEquals(1, delayedMessages(jobline), "...because a replacement waits for the lease to end");
        assertEquals(JobStatus.RUNNING, jobline.job(jobId).status());
        assertEquals(0, jobline.countedRuns.get(), "nothing ran while the lease was live");

        Job done = jobline.drainUntilEnded(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(2, done.attempts());
        assertEquals(1, jobline.countedRuns.get());
    }

    @Test
    void aWorkerThatWakesPastItsLeaseWithAStaleReceiptHandleStillLeavesItsJobAMessage(LocalAws aws,
            LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, SHORT_LEASE, List.of(stallOnce(true)));
        FrozenWorker first = new FrozenWorker(jobline);
        stalled.set(first);
        String jobId = jobline.submit("stall-once", "{}");
        // received, claimed late (the message is visible again before the lease ends), then the process stops
        SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(1));
        first.freeze();
        CompletableFuture<SQSBatchResponse> firstRun = first.deliverInBackground(event);
        Jobline.waitUntil("the first attempt runs", () -> jobline.job(jobId).status() == JobStatus.RUNNING);

        // another worker receives the copy while the frozen one's lease is live
        SQSEvent copy = jobline.receive(Duration.ofSeconds(3));
        assertEquals(1, copy.getRecords().size());
        jobline.deliver(copy);
        Instant leaseEnd = jobline.job(jobId).leaseExpiresAt();
        Jobline.waitUntil("the frozen attempt's lease has ended", () -> jobline.clock.instant().isAfter(leaseEnd));

        // it wakes, nobody having taken over: its handler fails, it records the retry, and its receipt handle is stale
        first.refuseVisibilityChanges();
        first.thaw();
        firstRun.get();
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status());

        Job done = jobline.drainUntilEnded(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status(), "a message brought the waiting job back");
        assertEquals("\"fresh\"", done.result());
        assertEquals(2, done.attempts());
    }

    @Test
    void aWorkerFrozenPastItsLeaseIsTakenOverAndItsLateCompletionIsRefused(LocalAws aws, LocalResources resources)
            throws Exception {
        Jobline jobline = new Jobline(aws, resources, SHORT_LEASE, List.of(stallOnce(false)));
        FrozenWorker first = new FrozenWorker(jobline);
        stalled.set(first);
        String jobId = jobline.submit("stall-once", "{}");
        SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(4));
        first.freeze();
        CompletableFuture<SQSBatchResponse> firstRun = first.deliverInBackground(event);
        Jobline.waitUntil("the first attempt runs", () -> jobline.job(jobId).status() == JobStatus.RUNNING);

        // the message returns when the lease is over: the next receive takes the job over
        SQSEvent again = jobline.receive(Duration.ofSeconds(6));
        assertEquals(1, again.getRecords().size());
        jobline.deliver(again);
        Job takenOver = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, takenOver.status());

        first.thaw();
        SQSBatchResponse late = firstRun.get();

        Job after = jobline.job(jobId);
        assertEquals("\"fresh\"", after.result(), "the late completion was refused");
        assertEquals(takenOver.version(), after.version(), "nothing was written over the newer attempt");
        assertEquals(2, after.attempts());
        assertEquals(1, late.getBatchItemFailures().size(), "the late worker leaves the message it no longer owns alone");
    }

    @Test
    void aCrashedLastAttemptIsFailedByTheWorkerThatReceivesItsMessage(LocalAws aws, LocalResources resources)
            throws Exception {
        Jobline jobline = new Jobline(aws, resources, SHORT_LEASE);
        String jobId = jobline.submit("{\"type\":\"count\",\"maxAttempts\":1}");
        jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(4));
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed", now.plusSeconds(2)), now).isPresent());

        SQSEvent again = jobline.receive(Duration.ofSeconds(6));
        assertEquals(1, again.getRecords().size());
        assertTrue(jobline.deliver(again).getBatchItemFailures().isEmpty());

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status(), "ended by the worker, not left for the sweeper");
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        assertTrue(job.error().message().contains(JobError.LEASE_EXPIRED), job.error().message());
        assertEquals(0, jobline.countedRuns.get());
    }

    @Test
    void aDeadLetteredCopyOfAJobRunningUnderALiveLeaseLeavesItRunningAndQueuesAReplacement(LocalAws aws,
            LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("count", "{}");
        SQSEvent held = jobline.receive(Duration.ofSeconds(2));
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("live-worker", now.plusSeconds(60)), now).isPresent());
        aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl)
                .messageBody(new JobMessage(jobId, "tenant-a", "count", null).body()));

        SQSEvent dead = jobline.receive(jobline.deadLetterQueueUrl, Duration.ofSeconds(2), null);
        SQSBatchResponse answer = jobline.deadLetters.handleRequest(dead, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));

        assertTrue(answer.getBatchItemFailures().isEmpty());
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.RUNNING, job.status(), "a dead-lettered copy does not end a job that is running");
        assertEquals("live-worker", job.leaseOwner());
        assertEquals(1, delayedMessages(jobline), "a replacement is due when the lease can have ended");
        assertEquals(1, held.getRecords().size());
    }

    @Test
    void anAttemptIsBilledNoLongerThanItsInvocationCouldRun(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(stallOnce(false)));
        FrozenWorker worker = new FrozenWorker(jobline);
        stalled.set(worker);
        String jobId = jobline.submit("stall-once", "{}");
        CompletableFuture<SQSBatchResponse> run = worker.deliverInBackground(jobline.receive(Duration.ofSeconds(2)));
        Jobline.waitUntil("the attempt runs", () -> jobline.job(jobId).status() == JobStatus.RUNNING);

        // the process was stopped for ten minutes (its clock jumped); Lambda would have ended the invocation at 60 s
        jobline.clock.advance(Duration.ofMinutes(10));
        worker.thaw();
        run.get();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertTrue(job.cost().computeMillis() <= 60_000, "billed " + job.cost().computeMillis() + " ms");
    }
}
