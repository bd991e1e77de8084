package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyScope;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import dev.jobline.store.DynamoJobStore;
import dev.jobline.store.DynamoKeyStore;
import dev.jobline.store.KeyStore;
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
 * A concurrency key never stays held for nothing: its TTL frees it even while its job still runs, and the sweeper gives
 * back the keys whose time ran out, whose holder ended without giving them back (a give-back lost with its function,
 * injected as a failed write), or whose holder was never written (a submission that died between taking the key and
 * writing its job); the next submission takes over a key whose holder has ended.
 */
@ExtendWith(LocalAwsExtension.class)
class KeyExpiryIntegrationTest {
    private static final String KEY = "nightly-export";

    private final CountDownLatch release = new CountDownLatch(1);

    private JobType holdType() {
        return JobType.of("hold", context -> {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return "released";
        });
    }

    private static String keyed(String type, String more) {
        return "{\"type\":\"" + type + "\",\"payload\":{},\"concurrencyKey\":\"" + KEY + "\"" + more + "}";
    }

    private static APIGatewayV2HTTPResponse submit(Jobline jobline, String body) {
        return jobline.call("api-submit-job.json", event -> event.setBody(body));
    }

    private static Optional<String> holder(Jobline jobline) {
        return KeyItems.holder(jobline, "tenant-a", KEY);
    }

    /** A sweep, with the log lines it wrote. */
    private static List<Map<String, Object>> sweepLogging(Jobline jobline) {
        CapturedLines lines = new CapturedLines();
        try {
            Log.redirect(lines.stream);
            jobline.sweep();
        } finally {
            Log.redirect(System.out);
        }
        return lines.objects();
    }

    private static List<Object> givenBack(List<Map<String, Object>> lines) {
        return lines.stream().filter(line -> "key.given_back".equals(line.get("event"))).map(line -> line.get("reason")).toList();
    }

    /** A job that ends while its key's give-back fails (the function died before that write): the key stays held. */
    private static String endedWithoutGivingBack(Jobline jobline) {
        String jobId = jobline.submit(keyed("echo", ""));
        jobline.faults.failWritesTo("key#");
        try {
            jobline.receiveAndDeliver();
        } finally {
            jobline.faults.heal();
        }
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals(Optional.of(jobId), holder(jobline), "the give-back was lost: the ended job still holds the key");
        return jobId;
    }

    @Test
    void aKeyWhoseTtlPassedIsFreeForANewSubmitWhileItsFirstJobStillRuns(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(holdType()));
        String first = jobline.submit(keyed("hold", ",\"keyTtlSeconds\":5"));
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        CompletableFuture<SQSBatchResponse> run = CompletableFuture.supplyAsync(() -> jobline.deliver(event));
        String second;
        try {
            Jobline.waitUntil("the first job runs", () -> jobline.job(first).status() == JobStatus.RUNNING);
            assertEquals(409, submit(jobline, keyed("hold", "")).getStatusCode(), "within its TTL the key is held");

            jobline.clock.advance(Duration.ofSeconds(6));
            APIGatewayV2HTTPResponse after = submit(jobline, keyed("hold", ""));

            assertEquals(202, after.getStatusCode(), after.getBody());
            second = (String) Json.parseObject(after.getBody()).get("jobId");
            assertEquals(JobStatus.RUNNING, jobline.job(first).status(), "the first job still runs");
            assertEquals(Optional.of(second), holder(jobline));
        } finally {
            release.countDown();
        }
        run.get(30, TimeUnit.SECONDS);
        assertEquals(JobStatus.SUCCEEDED, jobline.job(first).status());
        assertEquals(Optional.of(second), holder(jobline), "the first job's late end did not give back the second's key");
    }

    @Test
    void theSweeperGivesBackAKeyWhoseTtlPassedAndKeepsOneThatIsStillNeeded(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit(keyed("echo", ",\"keyTtlSeconds\":2"));
        assertEquals(List.of(), givenBack(sweepLogging(jobline)));
        assertEquals(Optional.of(jobId), holder(jobline), "a queued job within its key's TTL keeps it");

        jobline.clock.advance(Duration.ofSeconds(3));
        List<Object> reasons = givenBack(sweepLogging(jobline));

        assertEquals(List.of("its time ran out"), reasons);
        assertEquals(Optional.empty(), holder(jobline));
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status(), "the job itself goes on");
        assertEquals(202, submit(jobline, keyed("echo", "")).getStatusCode());
    }

    @Test
    void theSweeperGivesBackAKeyWhoseHolderEndedWithoutGivingItBack(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        endedWithoutGivingBack(jobline);

        List<Object> reasons = givenBack(sweepLogging(jobline));

        assertEquals(List.of("its holder no longer needs it"), reasons);
        assertEquals(Optional.empty(), holder(jobline));
        assertEquals(0, KeyItems.count(jobline));
    }

    @Test
    void aKeyWhoseHolderEndedWithoutGivingItBackIsTakenOverByTheNextSubmission(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String ended = endedWithoutGivingBack(jobline);

        APIGatewayV2HTTPResponse next = submit(jobline, keyed("echo", ""));

        assertEquals(202, next.getStatusCode(), next.getBody());
        String taker = (String) Json.parseObject(next.getBody()).get("jobId");
        assertEquals(Optional.of(taker), holder(jobline));
        assertFalse(taker.equals(ended));
    }

    @Test
    @SuppressWarnings("unchecked")
    void heldKeysInTheInFlightIndexAreNotCountedAsJobsInFlight(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        jobline.submit(keyed("echo", ""));
        jobline.submit("{\"type\":\"echo\",\"payload\":{},\"concurrencyKey\":\"another\"}");
        assertEquals(2, KeyItems.count(jobline));

        Map<String, Object> run = jobline.reconcile();

        assertEquals(0L, ((Number) run.get("tenantsCorrected")).longValue(), "two jobs in flight, whatever else the table holds: " + run);
        Map<String, Object> stats = Json.parseObject(jobline.call("api-stats.json").getBody());
        Map<String, Object> byType = (Map<String, Object>) stats.get("inFlightByType");
        assertEquals(Map.of("echo", Map.of("QUEUED", 2, "RUNNING", 0, "LIMITED", 0, "WAITING", 0)), byType, "no type but the jobs'");
        assertEquals(2, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight());
    }

    @Test
    void aKeyTakenForAJobThatWasNeverWrittenIsHeldForAMinuteThenGivenBackByTheSweeper(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        // a submission took the key and died before writing its job (and before giving the key back)
        KeyStore keys = new DynamoKeyStore(aws.dynamoClient(), resources.tableName("JobsTable"), (DynamoJobStore) jobline.store());
        Instant now = jobline.clock.instant();
        keys.take("tenant-a", new JobKey(KEY, KeyScope.ACTIVE, now.plus(Duration.ofHours(1))), "never-written", now);

        APIGatewayV2HTTPResponse refused = submit(jobline, keyed("echo", ""));
        APIGatewayV2HTTPResponse noGhost = submit(jobline, keyed("echo", ",\"onConflict\":\"returnExisting\""));

        assertEquals(409, refused.getStatusCode(), "its holder may still be on its way: " + refused.getBody());
        Map<String, Object> problem = Json.parseObject(refused.getBody());
        assertEquals("never-written", problem.get("existingJobId"));
        assertFalse(problem.containsKey("existingJobStatus"), "a holder not written yet has no status");
        assertEquals("1", refused.getHeaders().get("retry-after"));
        assertEquals(409, noGhost.getStatusCode(), "never an answer with a job that is not stored: " + noGhost.getBody());
        assertEquals(List.of(), givenBack(sweepLogging(jobline)), "within a minute of the take, the key is kept");
        assertEquals(Optional.of("never-written"), holder(jobline));

        jobline.clock.advance(Duration.ofSeconds(61));
        List<Object> reasons = givenBack(sweepLogging(jobline));

        assertEquals(List.of("its holder no longer needs it"), reasons);
        assertEquals(Optional.empty(), holder(jobline));
        assertEquals(0, jobline.storedItems());
        assertTrue(submit(jobline, keyed("echo", "")).getStatusCode() == 202);
    }
}
