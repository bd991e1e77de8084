package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job gives its concurrency key back however it ends, on the real table: the key's item is gone right after the
 * move that ended the job (a success, a permanent failure, attempts exhausted, a cancel while queued or running, a
 * dead letter, the sweeper or a worker failing a crashed last attempt), and the next submission with that key is
 * accepted. A retry takes the key again, or is refused when another job has taken it meanwhile.
 */
@ExtendWith(LocalAwsExtension.class)
class KeyReleaseIntegrationTest {
    private static final String KEY = "site-7";
    /** Short leases, so heartbeats (every lease / 3) bring a cancel back within a second and leases end in seconds. */
    private static final Map<String, String> SHORT_LEASE = Map.of("LEASE_SECONDS", "3", "VISIBILITY_SECONDS", "5");
    /** Past the template's QUEUED_STALE_SECONDS (900): the sweeper looks at a job submitted before. */
    private static final Duration PAST_STALE = Duration.ofMinutes(16);

    /** A handler that runs until the test lets it end. */
    private final CountDownLatch release = new CountDownLatch(1);

    private JobType holdType() {
        return JobType.of("hold", context -> {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return "released";
        });
    }

    private static String keyed(String type, String payload, String more) {
        return "{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"concurrencyKey\":\"" + KEY + "\"" + more + "}";
    }

    private static APIGatewayV2HTTPResponse submitKeyed(Jobline jobline, String payload) {
        return jobline.call("api-submit-job.json", event -> event.setBody(keyed("echo", payload, "")));
    }

    private static Optional<String> holder(Jobline jobline) {
        return KeyItems.holder(jobline, "tenant-a", KEY);
    }

    /** The key's item is gone, and a new submission with the key is accepted (and then holds it). */
    private static void assertKeyGivenBack(Jobline jobline, String endedJob) {
        assertEquals(Optional.empty(), holder(jobline), "job " + endedJob + " gave its key back when it ended");
        APIGatewayV2HTTPResponse next = submitKeyed(jobline, "{\"next\":true}");
        assertEquals(202, next.getStatusCode(), next.getBody());
        assertEquals(Optional.of((String) Json.parseObject(next.getBody()).get("jobId")), holder(jobline));
    }

    @Test
    void aJobThatSucceedsGivesItsKeyBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", "{}", ""));
        assertEquals(Optional.of(jobId), holder(jobline));

        jobline.receiveAndDeliver();

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aJobThatFailsForGoodGivesItsKeyBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("fail", "{\"retryable\":false}", ""));

        jobline.receiveAndDeliver();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals("DELIBERATE_FAILURE", job.error().code());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aJobKeepsItsKeyWhileItWaitsForARetryAndGivesItBackWhenItsAttemptsAreExhausted(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("fail", "{}", ",\"maxAttempts\":2"));

        jobline.receiveAndDeliver();
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status(), "the first attempt failed; a retry follows");
        assertEquals(Optional.of(jobId), holder(jobline), "an active key is held while the job waits for its retry");
        assertEquals(409, submitKeyed(jobline, "{}").getStatusCode());
        Job job = jobline.drainUntilEnded(jobId);

        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aQueuedJobCancelledByItsTenantGivesItsKeyBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", "{}", ""));

        APIGatewayV2HTTPResponse cancel = jobline.onJob("api-cancel-job.json", jobId, "tenant-a");

        assertEquals(200, cancel.getStatusCode(), cancel.getBody());
        assertEquals(JobStatus.CANCELLED, jobline.job(jobId).status());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aRunningJobCancelledByItsTenantGivesItsKeyBackWhenItStops(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, SHORT_LEASE);
        String jobId = jobline.submit(keyed("sleep", "{\"seconds\":20,\"steps\":100}", ""));
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        Jobline.waitUntil("the job runs", () -> jobline.job(jobId).status() == JobStatus.RUNNING);

        APIGatewayV2HTTPResponse cancel = jobline.onJob("api-cancel-job.json", jobId, "tenant-a");
        assertEquals(202, cancel.getStatusCode(), "asked to stop: " + cancel.getBody());
        assertEquals(Optional.of(jobId), holder(jobline), "still running: the key is still its");
        run.get(30, TimeUnit.SECONDS);

        assertEquals(JobStatus.CANCELLED, jobline.job(jobId).status());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aJobEndedByTheDeadLetterConsumerGivesItsKeyBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", "{}", ""));
        // the dead-letter queue's batch of events/, its job message naming this job
        SQSEvent event = EventLoader.loadSQSEvent(Jobline.EVENTS.resolve("sqs-dead-letters.json").toString());
        SQSEvent.SQSMessage record = event.getRecords().get(0);
        record.setBody(record.getBody().replace("00000000-0000-4000-8000-000000000001", jobId));

        SQSBatchResponse answer = jobline.deadLetters.handleRequest(event, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));

        assertTrue(answer.getBatchItemFailures().isEmpty());
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.DEAD_LETTERED, job.error().code());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aCrashedLastAttemptWhoseMessageWasPurgedIsFailedAfterTheReconciliationAndGivesItsKeyBackAtThatMove(
            LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", "{}", ",\"maxAttempts\":1"));
        // claimed by a worker that then died, and its message purged: the reconciliation sends it again
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed", now.plusSeconds(2)), now).isPresent());
        aws.sqsClient().purgeQueue(b -> b.queueUrl(jobline.queueUrl));
        jobline.clock.advance(PAST_STALE);

        CapturedLines lines = new CapturedLines();
        Map<String, Object> run;
        try {
            Log.redirect(lines.stream);
            run = jobline.reconcile();
            jobline.receiveAndDeliver();
        } finally {
            Log.redirect(System.out);
        }

        assertEquals(1, ((Number) run.get("resent")).intValue(), run.toString());
        assertEquals(JobStatus.FAILED, jobline.job(jobId).status());
        List<String> staleGiveBacks = lines.objects().stream().filter(line -> "key.given_back".equals(line.get("event")))
                .map(Object::toString).toList();
        assertEquals(List.of(), staleGiveBacks, "the failing move gave the key back, not the sweep's look for stale keys");
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aCrashedAttemptWhoseMessageWasPurgedIsTakenOverAfterTheReconciliationAndKeepsItsKeyMeanwhile(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", "{}", ",\"maxAttempts\":2"));
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed", now.plusSeconds(2)), now).isPresent());
        aws.sqsClient().purgeQueue(b -> b.queueUrl(jobline.queueUrl));
        jobline.clock.advance(PAST_STALE);
        assertEquals(409, submitKeyed(jobline, "{}").getStatusCode(), "its key is held while it waits to be found");

        Map<String, Object> run = jobline.reconcile();

        assertEquals(1, ((Number) run.get("resent")).intValue(), run.toString());
        assertEquals(Optional.of(jobId), holder(jobline), "still held: the job is back on its way");
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    @Test
    void aCrashedLastAttemptFailedByTheWorkerThatReceivesItsMessageGivesItsKeyBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "2", "VISIBILITY_SECONDS", "4"));
        String jobId = jobline.submit(keyed("echo", "{}", ",\"maxAttempts\":1"));
        jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(4));
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed", now.plusSeconds(2)), now).isPresent());

        SQSEvent again = jobline.receive(Duration.ofSeconds(6));
        assertEquals(1, again.getRecords().size());
        jobline.deliver(again);

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aQueuedScopeKeyIsGivenBackWhenItsJobStartsSoAnotherMayWaitWhileItRuns(LocalAws aws, LocalResources resources)
            throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(holdType()));
        String first = jobline.submit(keyed("hold", "{}", ",\"keyScope\":\"queued\""));
        assertEquals(409, jobline.call("api-submit-job.json", e -> e.setBody(keyed("hold", "{}", ",\"keyScope\":\"queued\"")))
                .getStatusCode(), "one waiting job per key");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        try {
            Jobline.waitUntil("the first job runs", () -> jobline.job(first).status() == JobStatus.RUNNING);

            // the claim's listeners run right after its write
            Jobline.waitUntil("started, its queued-scope key is given back", () -> holder(jobline).isEmpty());
            assertEquals(JobStatus.RUNNING, jobline.job(first).status());
            String second = jobline.submit(keyed("hold", "{}", ",\"keyScope\":\"queued\""));
            APIGatewayV2HTTPResponse third = jobline.call("api-submit-job.json", e -> e.setBody(keyed("hold", "{}", ",\"keyScope\":\"queued\"")));
            assertEquals(409, third.getStatusCode());
            assertEquals(second, Json.parseObject(third.getBody()).get("existingJobId"), "the waiting one holds it");
        } finally {
            release.countDown();
        }
        run.get(30, TimeUnit.SECONDS);
        assertEquals(JobStatus.SUCCEEDED, jobline.job(first).status());
    }

    @Test
    void aRetriedJobTakesItsKeyAgain(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("fail-first", "{}", ""));
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.FAILED, jobline.job(jobId).status());
        assertEquals(Optional.empty(), holder(jobline));

        APIGatewayV2HTTPResponse retry = jobline.onJob("api-retry-job.json", jobId, "tenant-a");

        assertEquals(202, retry.getStatusCode(), retry.getBody());
        assertEquals(Optional.of(jobId), holder(jobline), "queued again: the key is its again");
        APIGatewayV2HTTPResponse other = submitKeyed(jobline, "{}");
        assertEquals(409, other.getStatusCode());
        assertEquals(jobId, Json.parseObject(other.getBody()).get("existingJobId"));
        assertEquals(JobStatus.SUCCEEDED, jobline.drainUntilEnded(jobId).status());
        assertKeyGivenBack(jobline, jobId);
    }

    @Test
    void aRetryIsRefusedWith409WhenAnotherJobTookTheKeyMeanwhile(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String failed = jobline.submit(keyed("fail-first", "{}", ""));
        jobline.receiveAndDeliver();
        String taker = jobline.submit(keyed("echo", "{}", ""));

        APIGatewayV2HTTPResponse retry = jobline.onJob("api-retry-job.json", failed, "tenant-a");

        assertEquals(409, retry.getStatusCode(), retry.getBody());
        Map<String, Object> problem = Json.parseObject(retry.getBody());
        assertEquals("/problems/concurrency-key-held", problem.get("type"));
        assertEquals(taker, problem.get("existingJobId"));
        assertEquals(JobStatus.FAILED, jobline.job(failed).status(), "the refused retry changed nothing");
        assertEquals(Optional.of(taker), holder(jobline));
        assertEquals(1, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight(),
                "the refused retry gave back the place it took");
    }
}
