package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Submit, queue, claim, run, result: the real handlers against ElasticMQ and dynalite. */
@ExtendWith(LocalAwsExtension.class)
class CorePipelineIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    @Test
    void aSubmittedJobReachesSucceededWithItsResult() {
        APIGatewayV2HTTPResponse accepted = jobline.call("api-submit-job.json");
        assertEquals(202, accepted.getStatusCode(), accepted.getBody());
        Map<String, Object> body = Json.parseObject(accepted.getBody());
        String jobId = (String) body.get("jobId");
        assertEquals("QUEUED", body.get("status"));
        assertEquals("/jobs/" + jobId, accepted.getHeaders().get("location"));

        SQSBatchResponse batch = jobline.receiveAndDeliver();

        assertTrue(batch.getBatchItemFailures().isEmpty());
        Map<String, Object> view = jobline.view(jobId);
        assertEquals("SUCCEEDED", view.get("status"));
        assertEquals(Map.of("url", "https://example.com", "depth", 2), view.get("result"));
        assertEquals(1, view.get("attempts"));
        assertNotNull(view.get("finishedAt"));
        assertNotNull(view.get("expiresAt"), "a finished job carries its TTL");
        assertFalse(view.containsKey("leaseOwner"), "lease bookkeeping stays private");
        assertEquals(0, jobline.visibleMessages(), "the event source deleted the handled message");
    }

    @Test
    void theMessageCarriesTheJobIdAndAttributesNotThePayload() {
        String jobId = jobline.submit("echo", "{\"secret\":\"" + "p".repeat(1000) + "\"}");

        SQSEvent event = jobline.receive(Duration.ofSeconds(2));

        assertEquals(1, event.getRecords().size());
        SQSEvent.SQSMessage message = event.getRecords().get(0);
        assertEquals("{\"jobId\":\"" + jobId + "\"}", message.getBody());
        assertEquals("tenant-a", message.getMessageAttributes().get("tenantId").getStringValue());
        assertEquals("echo", message.getMessageAttributes().get("type").getStringValue());
    }

    @Test
    void aSecondDeliveryOfTheSameMessageRunsNothing() {
        String jobId = jobline.submit("count", "{}");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        jobline.worker.handleRequest(event, new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));
        Job afterFirst = jobline.job(jobId);

        SQSBatchResponse second = jobline.deliver(event);

        assertTrue(second.getBatchItemFailures().isEmpty(), "a duplicate is acknowledged, not retried");
        assertEquals(1, jobline.countedRuns.get());
        Job afterSecond = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, afterSecond.status());
        assertEquals(1, afterSecond.attempts());
        assertEquals(afterFirst.version(), afterSecond.version(), "the duplicate wrote nothing");
    }

    @Test
    void twoMessagesForOneJobInOneBatchRunItOnce() {
        String jobId = jobline.submit("count", "{}");
        jobline.aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.queueUrl).messageBody("{\"jobId\":\"" + jobId + "\"}"));
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        if (event.getRecords().size() < 2) {
            event.getRecords().addAll(jobline.receive(Duration.ofSeconds(2)).getRecords());
        }
        assertEquals(2, event.getRecords().size());

        SQSBatchResponse response = jobline.deliver(event);

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(1, jobline.countedRuns.get());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    @Test
    void anUnreadableRecordIsReportedFailedAndTheOthersAreNot() {
        String jobId = jobline.submit("echo", "{\"n\":1}");
        SQSEvent event = jobline.receive(Duration.ofSeconds(2));
        SQSEvent unreadable = com.amazonaws.services.lambda.runtime.tests.EventLoader.loadSQSEvent(
                Jobline.EVENTS.resolve("sqs-unreadable-record.json").toString());
        SQSEvent.SQSMessage bad = unreadable.getRecords().get(0);
        event.getRecords().add(bad);

        SQSBatchResponse response = jobline.worker.handleRequest(event, new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));

        assertEquals(1, response.getBatchItemFailures().size());
        assertEquals(bad.getMessageId(), response.getBatchItemFailures().get(0).getItemIdentifier());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    @Test
    void aMessageWhoseJobWasNeverWrittenIsDroppedOnceOlderThanTheGraceAndHeldBackBefore() {
        // sent long ago (the event file's SentTimestamp) for a job that does not exist: its sender died before the write
        SQSEvent old = com.amazonaws.services.lambda.runtime.tests.EventLoader.loadSQSEvent(
                Jobline.EVENTS.resolve("sqs-one-job.json").toString());

        SQSBatchResponse dropped = jobline.worker.handleRequest(old, new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));

        assertEquals(List.of(), dropped.getBatchItemFailures(), "nothing will ever run it: acknowledged");

        // sent just now: its job's write may still be on its way (send before write), so it comes back shortly
        jobline.aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.queueUrl).messageBody("{\"jobId\":\"not-written-yet\"}"));
        SQSEvent young = jobline.receive(Duration.ofSeconds(2));
        SQSBatchResponse held = jobline.deliver(young);
        assertEquals(1, held.getBatchItemFailures().size(), "back to the queue, not dropped");
    }

    @Test
    void progressOfASleepJobIsRecordedAndTheJobSucceeds() {
        String jobId = jobline.submit("sleep", "{\"millis\":1500,\"steps\":3}");

        jobline.receiveAndDeliver();

        Map<String, Object> view = jobline.view(jobId);
        assertEquals("SUCCEEDED", view.get("status"));
        Map<?, ?> progress = (Map<?, ?>) view.get("progress");
        assertEquals(3, progress.get("current"));
        assertEquals(100, progress.get("percent"));
    }

    @Test
    void anotherTenantGets404ForAJobThatExists() {
        String jobId = jobline.submit("echo", "{}");

        APIGatewayV2HTTPResponse response = jobline.get(jobId, "tenant-b");

        assertEquals(404, response.getStatusCode());
        assertEquals("/problems/not-found", Json.parseObject(response.getBody()).get("type"));
        assertFalse(response.getBody().contains("tenant-a"), "nothing about the owner leaks");
        assertEquals(200, jobline.get(jobId, "tenant-a").getStatusCode(), "its own tenant still sees it");
    }

    @Test
    void aBase64EncodedBodyIsDecodedAndAccepted() {
        APIGatewayV2HTTPResponse response = jobline.call("api-submit-job.json", event -> {
            event.setIsBase64Encoded(true);
            event.setBody(java.util.Base64.getEncoder().encodeToString(
                    "{\"type\":\"echo\",\"payload\":\"hé\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        });

        assertEquals(202, response.getStatusCode(), response.getBody());
        assertEquals("hé", jobline.view((String) Json.parseObject(response.getBody()).get("jobId")).get("payload"));
    }
}
