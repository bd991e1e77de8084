package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.api.ApiHandler;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The sweeper finds what went stale through the in-flight index and puts it back on its way. */
@ExtendWith(LocalAwsExtension.class)
class RecoveryIntegrationTest {
    /** Past the template's QUEUED_STALE_SECONDS (900) and LEASE_SECONDS (360). */
    private static final Duration LATER = Duration.ofMinutes(16);

    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    private String submitWithLostSend(String body) {
        String missingQueue = jobline.queueUrl.substring(0, jobline.queueUrl.lastIndexOf('/') + 1) + "no-such-queue";
        ApiHandler api = jobline.apiWith(Map.of("QUEUE_URL", missingQueue));
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.setBody(body);
        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));
        OpenApiContract.check(event, response);
        assertEquals(202, response.getStatusCode(), "the caller gets 202 even when the send fails");
        return (String) Json.parseObject(response.getBody()).get("jobId");
    }

    /** A worker that claimed the job and died: the lease is taken, the message is gone. */
    private void claimAndCrash(String jobId) {
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        assertEquals(1, event.getRecords().size());
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed-worker", now.plus(Duration.ofMinutes(6))), now).isPresent());
        jobline.aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.queueUrl).receiptHandle(event.getRecords().get(0).getReceiptHandle()));
    }

    @Test
    void aJobWhoseSendWasLostIsResentByTheSweeperAndCompletes() {
        String jobId = submitWithLostSend("{\"type\":\"echo\",\"payload\":{\"lost\":true}}");
        assertEquals(0, jobline.visibleMessages());
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status());

        assertEquals(0, jobline.sweep().get("resent"), "not stale yet: the sweeper leaves it");
        jobline.clock.advance(LATER);
        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("resent"));
        jobline.receiveAndDeliver();
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertEquals("{\"lost\":true}", job.result());
    }

    @Test
    void aRunningJobWithAnExpiredLeaseIsRecoveredAndRunsAgain() {
        String jobId = jobline.submit("count", "{}");
        claimAndCrash(jobId);
        assertEquals(0, jobline.sweep().get("requeued"), "the lease is still live");

        jobline.clock.advance(LATER);
        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("requeued"));
        Job requeued = jobline.job(jobId);
        assertEquals(JobStatus.QUEUED, requeued.status());
        assertEquals(JobError.LEASE_EXPIRED, requeued.error().code());
        jobline.receiveAndDeliver();
        Job done = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(2, done.attempts());
        assertEquals(1, jobline.countedRuns.get());
    }

    @Test
    void aJobRunningPastItsSweepTimeIsLookedAtAgainWhenItsMessageWouldHaveComeBack() {
        String jobId = jobline.submit("count", "{}");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        Instant now = jobline.clock.instant();
        // a long job: its heartbeats hold a lease well past the in-flight index's sweepAt
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("long-worker", now.plus(Duration.ofMinutes(30))), now).isPresent());
        jobline.aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.queueUrl).receiptHandle(event.getRecords().get(0).getReceiptHandle()));

        jobline.clock.advance(LATER);
        Map<String, Object> first = jobline.sweep();
        assertEquals(1, first.get("deferred"), first::toString);
        assertEquals(0, first.get("requeued"));
        assertEquals(JobStatus.RUNNING, jobline.job(jobId).status());
        assertEquals(0, jobline.sweep().get("itemsRead"), "deferred past its lease's end, it is not read again before");
        jobline.clock.advance(Duration.ofMinutes(15));
        assertEquals(0, jobline.sweep().get("requeued"), "its lease has ended, but its own message may still bring it back");

        // past the lease's end and the grace its own message gets to bring it back (visibility - lease + a sweep)
        jobline.clock.advance(Duration.ofMinutes(17));
        Map<String, Object> second = jobline.sweep();
        assertEquals(1, second.get("requeued"), second::toString);
        assertEquals(JobError.LEASE_EXPIRED, jobline.job(jobId).error().code());
    }

    @Test
    void claimsAndHeartbeatsLeaveTheInFlightIndexEntryAsTheSubmitWroteIt() {
        String jobId = jobline.submit("count", "{}");
        Map<String, AttributeValue> submitted = rawItem(jobId);
        Instant now = jobline.clock.instant();
        Lease lease = new Lease("worker", now.plus(Duration.ofMinutes(6)));
        assertTrue(jobline.wiring.store().claim(jobId, lease, now).isPresent());
        assertTrue(jobline.wiring.store().heartbeat(jobId, new Lease("worker", now.plus(Duration.ofMinutes(8))), null,
                now.plus(Duration.ofMinutes(2))).isPresent());

        Map<String, AttributeValue> running = rawItem(jobId);
        assertEquals("RUNNING", running.get("status").s());
        // the index keys are unchanged, so neither write touched the in-flight index
        assertEquals(submitted.get("sweepAt"), running.get("sweepAt"));
        assertEquals(submitted.get("inflightShard"), running.get("inflightShard"));

        assertTrue(jobline.wiring.store().succeed(jobId, "worker", "1", null, null, now.plus(Duration.ofMinutes(3))).isPresent());
        Map<String, AttributeValue> done = rawItem(jobId);
        assertFalse(done.containsKey("sweepAt"), "a finished job leaves the index");
        assertFalse(done.containsKey("inflightShard"));
    }

    private Map<String, AttributeValue> rawItem(String jobId) {
        return jobline.aws.dynamoClient().getItem(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
    }

    @Test
    void anExpiredLeaseOnTheLastAttemptFailsTheJob() {
        String jobId = jobline.submit("{\"type\":\"count\",\"maxAttempts\":1}");
        claimAndCrash(jobId);

        jobline.clock.advance(LATER);
        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("failed"));
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        assertTrue(job.error().message().contains(JobError.LEASE_EXPIRED));
        assertEquals(0, jobline.visibleMessages(), "nothing is re-sent for a failed job");
    }

    @Test
    void aSweepReadsOnlyTheStaleInFlightJobs() {
        for (int i = 0; i < 5; i++) {
            jobline.submit("echo", "{\"i\":" + i + "}");
        }
        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }
        String lostOne = submitWithLostSend("{\"type\":\"echo\"}");
        String lostTwo = submitWithLostSend("{\"type\":\"echo\"}");
        jobline.clock.advance(LATER);

        Map<String, Object> sweep = jobline.sweep();

        // two index entries, then the two jobs they name
        assertEquals(4, sweep.get("itemsRead"), "finished jobs are not in the index: " + sweep);
        assertEquals(2, sweep.get("resent"));
        assertEquals(7, jobline.storedItems());
        assertEquals(JobStatus.QUEUED, jobline.job(lostOne).status());
        assertEquals(JobStatus.QUEUED, jobline.job(lostTwo).status());
    }

    @Test
    void aSecondSweepDoesNotResendWhatTheFirstJustSent() {
        submitWithLostSend("{\"type\":\"echo\"}");
        jobline.clock.advance(LATER);

        assertEquals(1, jobline.sweep().get("resent"));
        assertEquals(0, jobline.sweep().get("resent"));
        assertEquals(1, jobline.visibleMessages());
    }

    @Test
    void aJobThatStaysQueuedIsSentAgainLessOftenEachTime() {
        // the queue is behind (or every send is lost): the job stays QUEUED past the stale threshold again and again
        String jobId = submitWithLostSend("{\"type\":\"echo\"}");
        int[] resentAfterMinutes = new int[5];
        int resends = 0;
        for (int minute = 1; minute <= 120; minute++) {
            jobline.clock.advance(Duration.ofMinutes(1));
            if (((Number) jobline.sweep().get("resent")).intValue() == 1) {
                resentAfterMinutes[resends++] = minute;
            }
        }
        // stale after 15 minutes, then sent again 15, 30 and 60 minutes after each re-send: the waits double
        assertEquals("[15, 30, 60, 120, 0]", java.util.Arrays.toString(resentAfterMinutes));
        assertEquals(4, resends);
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status());
    }

    @Test
    void aStaleWorkersLateCompletionIsRefusedWhileTheNewAttemptRuns() {
        String jobId = jobline.submit("count", "{}");
        claimAndCrash(jobId);
        jobline.clock.advance(LATER);
        jobline.sweep();
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("new-worker", now.plus(Duration.ofMinutes(6))), now).isPresent());

        boolean staleAccepted = jobline.wiring.store().succeed(jobId, "crashed-worker", "\"late\"", null, null, jobline.clock.instant()).isPresent();

        assertFalse(staleAccepted);
        Job running = jobline.job(jobId);
        assertEquals(JobStatus.RUNNING, running.status());
        assertEquals("new-worker", running.leaseOwner());
        assertTrue(jobline.wiring.store().succeed(jobId, "new-worker", "\"fresh\"", null, null, jobline.clock.instant()).isPresent());
        assertEquals("\"fresh\"", jobline.job(jobId).result());
    }

    @Test
    void aStaleWorkersLateCompletionIsRefusedAfterTheNewAttemptFinished() {
        String jobId = jobline.submit("count", "{}");
        claimAndCrash(jobId);
        jobline.clock.advance(LATER);
        jobline.sweep();
        jobline.receiveAndDeliver();

        boolean accepted = jobline.wiring.store().succeed(jobId, "crashed-worker", "\"late\"", null, null, jobline.clock.instant()).isPresent();

        assertFalse(accepted);
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertEquals("1", job.result(), "the newer attempt's result stands");
    }
}
