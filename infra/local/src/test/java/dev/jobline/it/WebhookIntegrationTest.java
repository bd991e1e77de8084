package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.sun.net.httpserver.HttpServer;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.Lease;
import dev.jobline.webhook.SqsWebhookQueue;
import dev.jobline.webhook.WebhookHandler;
import dev.jobline.webhook.WebhookQueue;
import dev.jobline.webhook.WebhookSender;
import dev.jobline.webhook.WebhookSettings;
import dev.jobline.webhook.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Completion webhooks: a job with a callbackUrl that ends, however it ends, is POSTed to a real HTTP
 * receiver on 127.0.0.1, signed with its tenant's secret; failures are retried with backoff and the
 * outcome is recorded on the job.
 */
@ExtendWith(LocalAwsExtension.class)
class WebhookIntegrationTest {
    private LocalAws aws;
    private LocalResources resources;
    private Jobline jobline;
    private final List<Receiver> receivers = new ArrayList<>();

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        this.aws = aws;
        this.resources = resources;
        jobline = new Jobline(aws, resources);
    }

    @AfterEach
    void stopReceivers() {
        receivers.forEach(Receiver::close);
    }

    /** One call the receiver got: header names in lower case. */
    record Call(String method, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A webhook receiver on 127.0.0.1 answering the given status codes in turn, the last one from then on. */
    static final class Receiver implements AutoCloseable {
        final List<Call> calls = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        Receiver(int... statuses) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/hook", exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
                int status = statuses[Math.min(calls.size(), statuses.length - 1)];
                calls.add(new Call(exchange.getRequestMethod(), headers, body));
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private Receiver receiver(int... statuses) {
        Receiver receiver = new Receiver(statuses);
        receivers.add(receiver);
        return receiver;
    }

    private String submitWithCallback(String type, String payload, String callbackUrl) {
        return jobline.submit("{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"callbackUrl\":\"" + callbackUrl + "\"}");
    }

    private String secretOf(String tenant) {
        APIGatewayV2HTTPResponse response = jobline.call("api-get-webhook-secret.json",
                event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant));
        assertEquals(200, response.getStatusCode(), response.getBody());
        return (String) Json.parseObject(response.getBody()).get("secret");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> webhookOf(String jobId) {
        return (Map<String, Object>) jobline.view(jobId).get("webhook");
    }

    private SQSEvent receiveWebhooks() {
        return jobline.receive(jobline.webhooksQueueUrl, Duration.ofSeconds(2), null);
    }

    /** The backoff is skipped: the delayed message is made visible now. */
    private void makeVisible(SQSEvent event) {
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            aws.sqsClient().changeMessageVisibility(b -> b.queueUrl(jobline.webhooksQueueUrl)
                    .receiptHandle(record.getReceiptHandle()).visibilityTimeout(0));
        }
    }

    /** Delivers the webhooks queue until it is empty (the backoff skipped), at most {@code rounds} times. */
    private int deliverUntilDone(WebhookHandler handler, int rounds) {
        int deliveries = 0;
        for (; deliveries < rounds; deliveries++) {
            SQSEvent event = receiveWebhooks();
            if (event.getRecords().isEmpty()) {
                break;
            }
            SQSBatchResponse response = jobline.deliverWebhooks(handler, event);
            makeVisibleFailed(event, response);
        }
        return deliveries;
    }

    private void makeVisibleFailed(SQSEvent event, SQSBatchResponse response) {
        SQSEvent failed = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            if (response.getBatchItemFailures().stream().anyMatch(f -> f.getItemIdentifier().equals(record.getMessageId()))) {
                records.add(record);
            }
        }
        failed.setRecords(records);
        makeVisible(failed);
    }

    @Test
    void aSucceededJobIsPostedSignedWithTheTenantsSecretAndRecordedDelivered() {
        Receiver receiver = receiver(200);
        String jobId = submitWithCallback("echo", "{\"hello\":\"webhook\"}", receiver.url());
        jobline.receiveAndDeliver();
        assertEquals(Map.of("status", "PENDING", "attempts", 0), webhookOf(jobId), "queued when the job ended");

        SQSBatchResponse response = jobline.receiveAndDeliverWebhooks();

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(1, receiver.calls.size());
        Call call = receiver.calls.get(0);
        assertEquals("POST", call.method());
        assertEquals("application/json", call.header("Content-Type"));
        assertEquals("job.ended", call.header("Jobline-Event"));
        assertEquals(jobId, call.header("Jobline-Job-Id"));
        String signature = call.header("Jobline-Signature");
        assertTrue(WebhookSignature.verify(secretOf("tenant-a"), signature, call.body(), Instant.now(), Duration.ofMinutes(5)),
                "signed with tenant-a's secret: " + signature);
        assertFalse(WebhookSignature.verify(secretOf("tenant-b"), signature, call.body(), Instant.now(), Duration.ofMinutes(5)),
                "another tenant's secret does not verify it");
        Map<String, Object> body = Json.parseObject(call.body());
        assertEquals("SUCCEEDED", body.get("status"));
        assertEquals(Map.of("hello", "webhook"), body.get("result"));
        Map<String, Object> view = new LinkedHashMap<>(jobline.view(jobId));
        @SuppressWarnings("unchecked")
        Map<String, Object> webhook = (Map<String, Object>) view.remove("webhook");
        body.remove("webhook");
        assertEquals(view, body, "the body is the job's view, as GET /jobs/{id} answers it");
        assertEquals("DELIVERED", webhook.get("status"));
        assertEquals(1, webhook.get("attempts"));
        assertEquals(200, webhook.get("lastStatusCode"));
        assertNotNull(webhook.get("lastAttemptAt"));
        assertEquals(0, jobline.visibleMessages(jobline.webhooksQueueUrl));
    }

    @Test
    void aWebhookWhoseMessageWasDeadLetteredIsRecordedFailedOnItsJob() {
        Receiver receiver = receiver(500);
        String jobId = submitWithCallback("echo", "{}", receiver.url());
        jobline.receiveAndDeliver();
        // the webhook function could not handle it maxReceiveCount times: SQS moved it to the webhooks' DLQ
        SQSEvent queued = jobline.receive(jobline.webhooksQueueUrl, Duration.ofSeconds(2), null);
        assertEquals(1, queued.getRecords().size());
        aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.webhooksDeadLetterQueueUrl).messageBody(queued.getRecords().get(0).getBody()));
        aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.webhooksQueueUrl).receiptHandle(queued.getRecords().get(0).getReceiptHandle()));

        SQSEvent dead = jobline.receive(jobline.webhooksDeadLetterQueueUrl, Duration.ofSeconds(2), null);
        SQSBatchResponse answer = jobline.deadLetters.handleRequest(dead, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));

        assertTrue(answer.getBatchItemFailures().isEmpty());
        Map<String, Object> webhook = webhookOf(jobId);
        assertEquals("FAILED", webhook.get("status"));
        assertTrue(String.valueOf(webhook.get("lastError")).startsWith("DEAD_LETTERED"), webhook.toString());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status(), "the job itself stays as it ended");
        assertEquals(0, receiver.calls.size());
    }

    @Test
    void theWebhookSecretRouteAnswersTheCallersOwnSecretAndForbidsCaching() {
        APIGatewayV2HTTPResponse response = jobline.call("api-get-webhook-secret.json");

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("no-store", response.getHeaders().get("cache-control"));
        Map<String, Object> answer = Json.parseObject(response.getBody());
        assertEquals(secretOf("tenant-a"), answer.get("secret"), "the same secret every time");
        assertTrue(((String) answer.get("secret")).startsWith("whsec_"));
        assertEquals("Jobline-Signature", answer.get("signatureHeader"));
        assertNotEquals(secretOf("tenant-a"), secretOf("tenant-b"));
    }

    /** Records every visibility change before making it on the real queue. */
    private static final class RecordingQueue implements WebhookQueue {
        final List<Duration> hides = new CopyOnWriteArrayList<>();
        private final WebhookQueue real;

        RecordingQueue(WebhookQueue real) {
            this.real = real;
        }

        @Override
        public void send(String jobId, String tenantId) {
            real.send(jobId, tenantId);
        }

        @Override
        public void hide(ReceivedMessage message, Duration visibility) {
            hides.add(visibility);
            real.hide(message, visibility);
        }
    }

    @Test
    void aFailingReceiverIsRetriedWithBackoffUntilItAnswers() throws InterruptedException {
        Receiver receiver = receiver(500, 500, 200);
        WebhookSettings settings = new WebhookSettings(8, WebhookSettings.RETRY_POLICY, Duration.ofSeconds(10), true, 10);
        RecordingQueue queue = new RecordingQueue(new SqsWebhookQueue(aws.sqsClient(), jobline.webhooksQueueUrl));
        WebhookHandler handler = new WebhookHandler(new WebhookSender(jobline.wiring.store(), queue,
                jobline.webhookWiring.webhookSecrets().orElseThrow(), jobline.clock, settings, new Random(7)));
        String jobId = submitWithCallback("echo", "{}", receiver.url());
        jobline.receiveAndDeliver();

        // received to stay hidden for 2 s only: still hidden after that, the backoff's visibility change took
        SQSEvent first = jobline.receive(jobline.webhooksQueueUrl, Duration.ofSeconds(2), Duration.ofSeconds(2));
        SQSBatchResponse firstResponse = jobline.deliverWebhooks(handler, first);
        Thread.sleep(2500);

        assertEquals(1, firstResponse.getBatchItemFailures().size(), "a 500 is reported failed, so SQS delivers it again");
        assertEquals(1, queue.hides.size());
        assertTrue(queue.hides.get(0).toSeconds() > 2 && queue.hides.get(0).compareTo(settings.retryPolicy().ceilingAfter(1)) <= 0,
                "attempt 1's delay is jittered under its ceiling: " + queue.hides);
        assertEquals(0, jobline.visibleMessages(jobline.webhooksQueueUrl), "hidden for the backoff");
        Map<String, Object> waiting = webhookOf(jobId);
        assertEquals("PENDING", waiting.get("status"));
        assertEquals(1, waiting.get("attempts"));
        assertEquals(500, waiting.get("lastStatusCode"));

        makeVisible(first);
        int deliveries = deliverUntilDone(handler, 5);

        assertEquals(2, deliveries, "one more failure, then the 200");
        assertEquals(2, queue.hides.size());
        assertTrue(queue.hides.get(1).compareTo(settings.retryPolicy().ceilingAfter(2)) <= 0, queue.hides.toString());
        assertEquals(3, receiver.calls.size());
        Map<String, Object> delivered = webhookOf(jobId);
        assertEquals("DELIVERED", delivered.get("status"));
        assertEquals(3, delivered.get("attempts"));
        assertEquals(200, delivered.get("lastStatusCode"));
        assertEquals(0, jobline.visibleMessages(jobline.webhooksQueueUrl));
    }

    @Test
    void aReceiverThatAlwaysFailsEndsFailedAfterTheLastAttempt() {
        Receiver receiver = receiver(503);
        Jobline threeAttempts = new Jobline(aws, resources, Map.of("WEBHOOK_MAX_ATTEMPTS", "3"));
        String jobId = threeAttempts.submit("{\"type\":\"echo\",\"payload\":{},\"callbackUrl\":\"" + receiver.url() + "\"}");
        threeAttempts.receiveAndDeliver();

        int deliveries = deliverUntilDone(threeAttempts.webhooks, 6);

        assertEquals(3, deliveries);
        assertEquals(3, receiver.calls.size());
        Map<String, Object> webhook = webhookOf(jobId);
        assertEquals("FAILED", webhook.get("status"));
        assertEquals(3, webhook.get("attempts"));
        assertEquals(503, webhook.get("lastStatusCode"));
        assertEquals(0, jobline.visibleMessages(jobline.webhooksQueueUrl), "the last failure acknowledges the message");
    }

    @Test
    void aReceiverThatRefusesTheCallIsNotAskedAgain() {
        Receiver receiver = receiver(410);
        String jobId = submitWithCallback("echo", "{}", receiver.url());
        jobline.receiveAndDeliver();

        SQSBatchResponse response = jobline.receiveAndDeliverWebhooks();

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(1, receiver.calls.size());
        Map<String, Object> webhook = webhookOf(jobId);
        assertEquals("FAILED", webhook.get("status"));
        assertEquals(1, webhook.get("attempts"));
        assertEquals(410, webhook.get("lastStatusCode"));
    }

    @Test
    void aRefusedConnectionIsRecordedAndRetried() {
        Receiver gone = receiver(200);
        String url = gone.url();
        gone.close();
        String jobId = submitWithCallback("echo", "{}", url);
        jobline.receiveAndDeliver();

        SQSBatchResponse response = jobline.receiveAndDeliverWebhooks();

        assertEquals(1, response.getBatchItemFailures().size());
        Map<String, Object> webhook = webhookOf(jobId);
        assertEquals("PENDING", webhook.get("status"));
        assertEquals(1, webhook.get("attempts"));
        assertNull(webhook.get("lastStatusCode"));
        assertTrue(String.valueOf(webhook.get("lastError")).contains("ConnectException"), webhook.toString());
    }

    @Test
    void aJobWithoutCallbackUrlSendsNothingToTheWebhooksQueue() {
        Receiver receiver = receiver(200);
        String silent = jobline.submit("echo", "{}");
        String announced = submitWithCallback("echo", "{}", receiver.url());

        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }

        assertEquals(JobStatus.SUCCEEDED, jobline.job(silent).status());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(announced).status());
        SQSEvent event = receiveWebhooks();
        assertEquals(1, event.getRecords().size(), "one message: the job with a callbackUrl's");
        assertEquals(announced, JobMessage.jobIdFrom(event.getRecords().get(0).getBody()).orElseThrow());
        assertNull(jobline.view(silent).get("webhook"));
    }

    @Test
    void aCancelledJobWithACallbackIsNotifiedToo() {
        Receiver receiver = receiver(200);
        String jobId = submitWithCallback("echo", "{}", receiver.url());

        assertEquals(200, jobline.onJob("api-cancel-job.json", jobId, "tenant-a").getStatusCode(), "cancelled while QUEUED");
        jobline.receiveAndDeliverWebhooks();

        assertEquals(1, receiver.calls.size());
        assertEquals("CANCELLED", Json.parseObject(receiver.calls.get(0).body()).get("status"));
        assertEquals("DELIVERED", webhookOf(jobId).get("status"));
    }

    @Test
    void aJobWhoseCrashedLastAttemptTheWorkerFailsIsNotified() {
        Receiver receiver = receiver(200);
        String jobId = jobline.submit("{\"type\":\"count\",\"payload\":{},\"maxAttempts\":1,\"callbackUrl\":\"" + receiver.url() + "\"}");
        Instant now = jobline.clock.instant();
        // a worker claims its only attempt and dies
        assertTrue(jobline.wiring.store().claim(jobId, new Lease("crashed-worker", now.plus(Duration.ofMinutes(6))), now).isPresent());
        // past the lease: its message comes back to a worker, which finds the attempt crashed and none left
        jobline.clock.advance(Duration.ofMinutes(16));

        jobline.receiveAndDeliver();
        assertEquals(JobStatus.FAILED, jobline.job(jobId).status());
        jobline.receiveAndDeliverWebhooks();

        assertEquals(1, receiver.calls.size());
        Map<String, Object> body = Json.parseObject(receiver.calls.get(0).body());
        assertEquals("FAILED", body.get("status"));
        assertTrue(WebhookSignature.verify(secretOf("tenant-a"), receiver.calls.get(0).header("Jobline-Signature"),
                receiver.calls.get(0).body(), jobline.clock.instant(), Duration.ofMinutes(5)), "signed at the (shifted) time it was sent");
    }

    @Test
    void aDeadLetteredJobIsNotified() {
        Receiver receiver = receiver(200);
        String jobId = submitWithCallback("echo", "{}", receiver.url());
        aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl).messageBody("{\"jobId\":\"" + jobId + "\"}"));
        SQSEvent deadLetters = jobline.receive(jobline.deadLetterQueueUrl, Duration.ofSeconds(2), null);

        jobline.deadLetters.handleRequest(deadLetters, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));
        jobline.receiveAndDeliverWebhooks();

        assertEquals(1, receiver.calls.size());
        Map<String, Object> body = Json.parseObject(receiver.calls.get(0).body());
        assertEquals("FAILED", body.get("status"));
        assertEquals("DEAD_LETTERED", ((Map<?, ?>) body.get("error")).get("code"));
    }

    @Test
    void aCallbackToAPrivateAddressIsRefusedWhenPrivateHostsAreNotAllowed() {
        Receiver receiver = receiver(200);
        Jobline guarded = new Jobline(aws, resources, Map.of("WEBHOOK_ALLOW_PRIVATE_HOSTS", "false"));
        String jobId = guarded.submit("{\"type\":\"echo\",\"payload\":{},\"callbackUrl\":\"" + receiver.url() + "\"}");
        guarded.receiveAndDeliver();

        SQSBatchResponse response = guarded.receiveAndDeliverWebhooks();

        assertTrue(response.getBatchItemFailures().isEmpty(), "refused for good, not retried");
        assertEquals(0, receiver.calls.size(), "never called");
        Map<String, Object> webhook = webhookOf(jobId);
        assertEquals("FAILED", webhook.get("status"));
        assertTrue(String.valueOf(webhook.get("lastError")).contains("127.0.0.1"), webhook.toString());
    }
}
