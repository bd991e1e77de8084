package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.config.Config;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Whatever the API accepts and a handler returns fits the job's DynamoDB item: a payload and a result at their limits,
 * with the longest error and progress messages, still complete; one byte more is refused at once, never retried.
 */
@ExtendWith(LocalAwsExtension.class)
class ItemSizeIntegrationTest {
    private static final int BIG_MESSAGE = 1024 * 1024;
    private Jobline jobline;
    private Config config;

    /** Returns a string whose stored JSON is {@code resultBytes} long, after a progress report with a 1 MB message. */
    private static JobType sized() {
        return JobType.of("sized", context -> {
            Map<?, ?> payload = (Map<?, ?>) context.payload();
            context.reportProgress(1, 2, "p".repeat(BIG_MESSAGE));
            if (Boolean.TRUE.equals(payload.get("fail"))) {
                throw new IllegalStateException("e".repeat(BIG_MESSAGE));
            }
            // a JSON string is its characters and two quotes
            return "r".repeat(((Number) payload.get("resultBytes")).intValue() - 2);
        }).withMaxAttempts(1);
    }

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources, Map.of(), List.of(sized()));
        config = jobline.wiring.config();
    }

    /** A submission whose payload is exactly {@code payloadBytes} long as stored. */
    private String submission(int payloadBytes, int resultBytes, boolean fail) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("resultBytes", resultBytes);
        payload.put("fail", fail);
        payload.put("pad", "");
        int bare = Json.write(payload).getBytes(StandardCharsets.UTF_8).length;
        payload.put("pad", "x".repeat(payloadBytes - bare));
        assertEquals(payloadBytes, Json.write(payload).getBytes(StandardCharsets.UTF_8).length);
        return Json.write(Map.of("type", "sized", "payload", payload));
    }

    private int itemBytes(String jobId) {
        Map<String, AttributeValue> item = jobline.aws.dynamoClient().getItem(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
        int bytes = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            bytes += attribute.getKey().length() + attribute.getValue().toString().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    @Test
    void aJobWithItsPayloadAndResultAtTheirLimitsAndLongMessagesStillSucceeds() {
        String jobId = jobline.submit(submission(config.maxPayloadBytes(), config.maxResultBytes(), false));

        jobline.receiveAndDeliver();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, job.status());
        assertEquals(config.maxResultBytes(), job.result().getBytes(StandardCharsets.UTF_8).length);
        assertTrue(job.progress().message().length() < 2048, "the progress message was cut");
        assertTrue(itemBytes(jobId) < 400 * 1024, "the item is " + itemBytes(jobId) + " bytes");
    }

    @Test
    void aPayloadOneByteOverItsLimitIsRefusedWith413AndTheLimit() {
        APIGatewayV2HTTPResponse refused = jobline.call("api-submit-job.json",
                e -> e.setBody(submission(config.maxPayloadBytes() + 1, 10, false)));

        assertEquals(413, refused.getStatusCode(), refused.getBody());
        assertEquals(config.maxPayloadBytes(), ((Number) Json.parseObject(refused.getBody()).get("limitBytes")).intValue());
        assertEquals(0, jobline.storedItems());
    }

    @Test
    void aResultOneByteOverItsLimitFailsTheJobAtOnce() {
        String jobId = jobline.submit(submission(1000, config.maxResultBytes() + 1, false).replace(",\"payload\"",
                ",\"maxAttempts\":3,\"payload\""));

        jobline.receiveAndDeliver();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.RESULT_TOO_LARGE, job.error().code());
        assertEquals(1, job.attempts(), "not retried: the next attempt's result would be as large");
    }

    @Test
    void aHandlersHugeErrorMessageIsCutToFitAndTheFailureIsRecorded() {
        String jobId = jobline.submit(submission(config.maxPayloadBytes(), 10, true));

        jobline.receiveAndDeliver();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertTrue(job.error().message().getBytes(StandardCharsets.UTF_8).length <= JobError.MAX_MESSAGE_BYTES,
                "error message of " + job.error().message().length() + " characters");
        assertTrue(job.error().message().contains("IllegalStateException"), job.error().message());
    }
}
