package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.api.ApiHandler;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
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

/**
 * What brings a job back after a failure, as built for issue 17: a job's message is sent before its write, so a
 * failed send stores nothing; a crashed attempt's own message returns after its visibility and takes the job over;
 * the sweeper's in-flight index holds only what no queue can (a job due further away than SQS's 15-minute delay, a
 * WAITING job), so it reads nothing of the jobs the queue carries.
 */
@ExtendWith(LocalAwsExtension.class)
class RecoveryIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    @Test
    void aSubmissionWhoseSendFailsIsRefusedWith503AndStoresNothing() {
        String missingQueue = jobline.queueUrl.substring(0, jobline.queueUrl.lastIndexOf('/') + 1) + "no-such-queue";
        ApiHandler api = jobline.apiWith(Map.of("QUEUE_URL", missingQueue));
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.setBody("{\"type\":\"count\",\"payload\":{}}");

        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));

        OpenApiContract.check(event, response);
        assertEquals(503, response.getStatusCode(), response.getBody());
        assertEquals("1", response.getHeaders().get("retry-after"));
        assertEquals(0, jobline.storedItems(), "no job is stored without its message");
        var tenant = jobline.wiring.tenants().read(java.util.List.of("tenant-a")).get("tenant-a");
        assertEquals(0, tenant.inFlight(), "its quota place was given back");
        assertEquals(0L, tenant.jobs().get(JobStatus.QUEUED), "and its count");
    }

    @Test
    void aJobTheQueueCarriesNeverEntersTheSweepersIndexSoASweepReadsNothingOfIt() {
        String jobId = jobline.submit("count", "{}");
        assertFalse(rawItem(jobId).containsKey("sweepAt"), "QUEUED, its message carries it");
        assertFalse(rawItem(jobId).containsKey("inflightShard"));
        Instant now = jobline.clock.instant();
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("worker", now.plus(Duration.ofMinutes(6))), now).isPresent());
        assertFalse(rawItem(jobId).containsKey("sweepAt"), "RUNNING, nor now");
        jobline.clock.advance(Duration.ofHours(2));

        Map<String, Object> sweep = jobline.sweep();

        assertEquals(0, sweep.get("itemsRead"), sweep.toString());
        assertEquals(JobStatus.RUNNING, jobline.job(jobId).status(), "left to its message");
    }

    @Test
    void aCrashedAttemptsJobIsTakenOverByItsOwnMessageAndTheStaleWorkersLateCompletionIsRefused(LocalAws aws, LocalResources resources) {
        Jobline quick = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "2", "VISIBILITY_SECONDS", "4"));
        String jobId = quick.submit("count", "{}");
        // a worker receives it, claims it and dies: its message stays in flight
        SQSEvent first = quick.receive(quick.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertEquals(1, first.getRecords().size());
        Instant now = quick.clock.instant();
        assertTrue(quick.wiring.store().claim(jobId, new Lease("crashed-worker", now.plusSeconds(2)), now).isPresent());
        quick.clock.advance(Duration.ofSeconds(5));

        SQSEvent again = quick.receive(Duration.ofSeconds(8));
        assertEquals(1, again.getRecords().size(), "back after its visibility");
        quick.deliver(again);

        Job done = quick.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(2, done.attempts());
        assertFalse(quick.wiring.store().succeed(jobId, "crashed-worker", "\"late\"", null, null, quick.clock.instant()).isPresent());
        assertEquals("1", quick.job(jobId).result(), "the newer attempt's result stands");
    }

    @Test
    void aJobDueLaterThanAQueueCanDelayIsSentAheadOfItsRunAtOnceAndLeavesTheIndex() {
        Instant runAt = jobline.clock.instant().plus(Duration.ofHours(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String jobId = jobline.submit("{\"type\":\"count\",\"payload\":{},\"runAt\":\"" + runAt + "\"}");
        assertTrue(rawItem(jobId).containsKey("sweepAt"), "in the index: no queue can hold it three hours");
        assertEquals(0, jobline.sweep().get("resent"), "not due yet");

        jobline.clock.advance(Duration.ofHours(3).minus(Duration.ofMinutes(12)));
        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("resent"), sweep.toString());
        assertFalse(rawItem(jobId).containsKey("sweepAt"), "its message carries it now");
        assertEquals(0, jobline.visibleMessages(), "delayed to its runAt");
        assertEquals("1", jobline.aws.sqsClient().getQueueAttributes(b -> b.queueUrl(jobline.queueUrl)
                .attributeNamesWithStrings("ApproximateNumberOfMessagesDelayed")).attributesAsStrings().get("ApproximateNumberOfMessagesDelayed"));
        assertEquals(0, jobline.sweep().get("itemsRead"), "a second sweep reads nothing");
    }

    private Map<String, AttributeValue> rawItem(String jobId) {
        return jobline.aws.dynamoClient().getItem(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
    }
}
