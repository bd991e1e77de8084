package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * What Lambda and API Gateway do around a function, checked with test functions ({@link Fixtures}): partial batch
 * failures, whole-batch failures, MaximumConcurrency, the payload-2.0 event, the Context.
 */
class EventSourceEmulationTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    /** One runner for the class: each test uses its own messages and waits for its queue to empty. */
    private static LocalRunner runner;

    @BeforeAll
    static void start(@TempDir Path dir) {
        runner = LocalRunner.start(RunnerOptions.defaults(Fixtures.template(dir))
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log")));
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @BeforeEach
    void resetTheTestFunctions() {
        ScriptedBatchHandler.reset();
        SlowRecordHandler.reset();
    }

    private static void send(String queue, List<String> bodies) {
        String url = runner.resources().queueUrl(queue);
        for (int from = 0; from < bodies.size(); from += 10) {
            List<SendMessageBatchRequestEntry> entries = bodies.subList(from, Math.min(bodies.size(), from + 10))
                    .stream().map(body -> SendMessageBatchRequestEntry.builder().id(body).messageBody(body).build())
                    .toList();
            runner.aws().sqsClient().sendMessageBatch(r -> r.queueUrl(url).entries(entries));
        }
    }

    private static int messagesLeft(String queue) {
        Map<String, String> attributes = runner.aws().sqsClient().getQueueAttributes(r -> r
                .queueUrl(runner.resources().queueUrl(queue))
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings();
        return Integer.parseInt(attributes.get("ApproximateNumberOfMessages"))
                + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    @Test
    void onlyTheRecordsNamedInBatchItemFailuresAreDeliveredAgain() throws InterruptedException {
        send("WorkQueue", List.of("ok-1", "fail-once-1", "ok-2", "fail-once-2", "ok-3"));

        Eventually.until(BOUND, () -> ScriptedBatchHandler.deliveries("fail-once-1").size()
                + ScriptedBatchHandler.deliveries("fail-once-2").size(), n -> n == 4, "both failed records come back");
        Eventually.until(BOUND, () -> messagesLeft("WorkQueue"), n -> n == 0, "the queue empties");
        // past the 3 s visibility timeout: anything wrongly left behind would have come back by now
        Thread.sleep(4000);

        assertEquals(5, ScriptedBatchHandler.BATCH_SIZES.get(0), "the five messages sent together are one batch");
        for (String ok : List.of("ok-1", "ok-2", "ok-3")) {
            assertEquals(List.of(1), ScriptedBatchHandler.deliveries(ok), ok + " was deleted after its one delivery");
        }
        for (String failed : List.of("fail-once-1", "fail-once-2")) {
            assertEquals(List.of(1, 2), ScriptedBatchHandler.deliveries(failed), failed + " came back once");
        }
        assertTrue(ScriptedBatchHandler.EVENT_SOURCE_ARNS.stream().allMatch(
                runner.resources().queueArn("WorkQueue")::equals), "records name their queue's ARN");
    }

    @Test
    void aBatchWhoseInvocationThrowsIsDeliveredAgainWhole() {
        send("WorkQueue", List.of("throw-1", "ok-4", "ok-5"));

        Eventually.until(BOUND, () -> ScriptedBatchHandler.deliveries("throw-1"), d -> d.size() == 2,
                "the throwing batch comes back");
        Eventually.until(BOUND, () -> messagesLeft("WorkQueue"), n -> n == 0, "the queue empties");

        assertEquals(List.of(1, 2), ScriptedBatchHandler.deliveries("ok-4"), "nothing of a failed batch is deleted");
        assertEquals(List.of(1, 2), ScriptedBatchHandler.deliveries("ok-5"), "nothing of a failed batch is deleted");
        assertTrue(runner.invocations().latest(20).stream().anyMatch(entry -> entry.invocation().failed()
                && entry.invocation().error().contains("scripted failure of the whole batch")));
    }

    @Test
    void noMoreInvocationsRunAtOnceThanMaximumConcurrency() {
        send("SlowQueue", java.util.stream.IntStream.range(0, 12).mapToObj(i -> "slow-" + i).toList());

        Eventually.until(BOUND, SlowRecordHandler.RECORDS::get, n -> n == 12, "all twelve records handled");

        assertTrue(SlowRecordHandler.MOST_AT_ONCE.get() <= 2,
                "MaximumConcurrency is 2, yet " + SlowRecordHandler.MOST_AT_ONCE.get() + " ran at once");
        // the last batch's messages are deleted once its invocation has returned, a moment after its records ran
        Eventually.until(BOUND, () -> messagesLeft("SlowQueue"), n -> n == 0, "every handled message is deleted");
    }

    @Test
    void anHttpRequestBecomesAPayload2EventWithThePathParametersQueryAndClaims() {
        ApiCalls api = new ApiCalls(runner.apiUrl());

        ApiCalls.Answer answer = api.get("/things/abc?x=1&x=2&y=%C3%A9", "X-Jobline-Tenant", "acme");

        assertEquals(201, answer.status(), answer.body());
        assertEquals("yes", answer.header("x-echo"), "the function's headers are sent");
        assertTrue(answer.header("apigw-requestid") != null);
        Map<String, Object> seen = answer.json();
        assertEquals("GET /things/{id}", seen.get("routeKey"));
        assertEquals("/things/abc", seen.get("rawPath"));
        assertEquals("x=1&x=2&y=%C3%A9", seen.get("rawQueryString"));
        assertEquals(Map.of("id", "abc"), seen.get("pathParameters"));
        assertEquals(Map.of("x", "1,2", "y", "é"), seen.get("queryStringParameters"));
        assertEquals("acme", ((Map<?, ?>) seen.get("claims")).get("sub"));
        assertEquals("acme", ((Map<?, ?>) seen.get("headers")).get("x-jobline-tenant"), "header names are lower case");
    }

    @Test
    void aBinaryBodyArrivesBase64EncodedAndATextBodyAsIs() {
        ApiCalls api = new ApiCalls(runner.apiUrl());
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2};

        Map<String, Object> bytes = api.post("/things", "application/octet-stream", binary).json();
        Map<String, Object> text = api.postJson("/things", "{\"name\":\"thing\"}").json();

        assertEquals(true, bytes.get("isBase64Encoded"));
        assertEquals(Base64.getEncoder().encodeToString(binary), bytes.get("body"));
        assertEquals(false, text.get("isBase64Encoded"));
        assertEquals("{\"name\":\"thing\"}", text.get("body"));
    }

    @Test
    void eachInvocationHasAFreshRequestIdAndTimeCountingDownFromTheTimeout() {
        ApiCalls api = new ApiCalls(runner.apiUrl());

        Map<String, Object> first = api.get("/things/1").json();
        Map<String, Object> second = api.get("/things/2").json();

        assertNotEquals(first.get("requestId"), second.get("requestId"));
        assertEquals("EchoFunction", first.get("functionName"));
        int remaining = (Integer) first.get("remainingMillis");
        assertTrue(remaining > 0 && remaining <= 5000, "Timeout is 5 s; remaining " + remaining);
    }

    @Test
    void aPathWithoutARouteIsApiGateways404AndInvokesNothing() {
        ApiCalls api = new ApiCalls(runner.apiUrl());
        long invocationsBefore = runner.invocations().count("EchoFunction");

        ApiCalls.Answer missing = api.get("/nothing/here");
        ApiCalls.Answer wrongMethod = api.postJson("/things/abc", "{}");

        assertEquals(404, missing.status());
        assertEquals("{\"message\":\"Not Found\"}", missing.body());
        assertEquals(404, wrongMethod.status(), "no POST /things/{id} route");
        assertEquals(invocationsBefore, runner.invocations().count("EchoFunction"), "nothing was invoked");
    }
}
