package dev.jobline.webhook;

import dev.jobline.job.JobView;
import dev.jobline.job.Job;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.json.Json;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.lambda.ParallelBatch;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.JobStore;
import dev.jobline.lambda.Deadline;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Delivers the completion webhooks named by one batch of messages: loads the job, POSTs its view
 * (the body of GET /jobs/{id}) signed with the tenant's secret, and records the outcome on the job.
 * A failed call is retried with backoff by hiding its message; after the last attempt, or an answer
 * that retrying cannot change, the webhook is FAILED. Returns the ids of the messages to deliver again.
 *
 * <p>Delivery is at least once: a receiver may see the same call twice (a duplicate message, or an
 * outcome that could not be recorded) and should treat Jobline-Job-Id with finishedAt as the key.
 */
public final class WebhookSender {
    public static final String EVENT = "job.ended";
    /** Room left for the store writes after the longest call: connect plus answer timeouts. */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    private final JobStore store;
    private final WebhookQueue queue;
    private final WebhookSecrets secrets;
    private final Clock clock;
    private final WebhookSettings settings;
    private final RandomGenerator random;
    private final CallbackClient client;
    private final CallbackHosts hosts;
    private final ParallelBatch batch;

    public WebhookSender(JobStore store, WebhookQueue queue, WebhookSecrets secrets, Clock clock, WebhookSettings settings,
                         RandomGenerator random) {
        this.store = store;
        this.queue = queue;
        this.secrets = secrets;
        this.clock = clock;
        this.settings = settings;
        this.random = random;
        this.client = new CallbackClient(settings.timeout(), settings.timeout());
        this.hosts = new CallbackHosts(settings.allowPrivateHosts());
        this.batch = new ParallelBatch("jobline-webhook", settings.parallelism(), "webhook.failed");
    }

    public List<String> process(List<ReceivedMessage> messages, Deadline deadline) {
        return batch.run(messages, message -> processOne(message, deadline));
    }


    /** True when the message is done with; false when the queue should deliver it again. */
    private boolean processOne(ReceivedMessage message, Deadline deadline) throws InterruptedException {
        Optional<String> jobId = JobMessage.jobIdFrom(message.body());
        if (jobId.isEmpty()) {
            // left to SQS's redrive: the webhooks dead-letter queue keeps it whole
            Log.warn("webhook.message_unreadable", "receiveCount", message.receiveCount());
            hideQuietly(message, Duration.ofSeconds(random.nextInt(1, 4)));
            return false;
        }
        Log.putContext("jobId", jobId.get());
        if (deadline.remaining().compareTo(settings.timeout().multipliedBy(2).plus(MARGIN)) < 0) {
            Log.info("webhook.released", "reason", "invocation nearly out of time");
            hideQuietly(message, Duration.ofSeconds(random.nextInt(1, 4)));
            return false;
        }
        Optional<Job> found = store.find(jobId.get());
        if (found.isEmpty()) {
            Log.info("webhook.skipped", "reason", "the job no longer exists");
            return true;
        }
        Job job = found.get();
        Log.putContext("tenantId", job.tenantId());
        if (!job.status().isTerminal() || job.callbackUrl() == null || job.finishedAt() == null) {
            // retried since it ended: its next end queues a webhook of its own
            Log.info("webhook.skipped", "reason", "the job is " + job.status() + (job.callbackUrl() == null ? " with no callbackUrl" : ""));
            return true;
        }
        WebhookDelivery current = job.webhook();
        if (current != null && !WebhookDelivery.PENDING.equals(current.status())) {
            Log.info("webhook.duplicate_delivery", "webhookStatus", current.status());
            return true;
        }
        int previous = current == null ? 0 : current.attempts();
        int attempt = previous + 1;
        Log.putContext("attempt", attempt);
        return deliver(job, message, previous, attempt);
    }

    private boolean deliver(Job job, ReceivedMessage message, int previous, int attempt) throws InterruptedException {
        URI url = URI.create(job.callbackUrl());
        CallbackClient.Answer answer;
        try {
            Optional<String> refused = hosts.refusal(url);
            if (refused.isPresent()) {
                record(job, previous, new WebhookDelivery(WebhookDelivery.FAILED, attempt, null, refused.get(), clock.instant()));
                Log.warn("webhook.refused", "reason", refused.get());
                return true;
            }
            String body = Json.write(JobView.of(job));
            answer = client.post(url, headers(job, sign(job, body)), body);
        } catch (UnknownHostException e) {
            answer = new CallbackClient.Answer(null, "unknown host: " + url.getHost());
        }
        Instant now = clock.instant();
        if (answer.delivered()) {
            record(job, previous, new WebhookDelivery(WebhookDelivery.DELIVERED, attempt, answer.statusCode(), null, now));
            Log.info("webhook.delivered", "statusCode", answer.statusCode());
            return true;
        }
        boolean permanent = isPermanent(answer.statusCode());
        if (permanent || attempt >= settings.maxAttempts()) {
            record(job, previous, new WebhookDelivery(WebhookDelivery.FAILED, attempt, answer.statusCode(), answer.error(), now));
            Log.warn("webhook.gave_up", "statusCode", answer.statusCode(), "error", answer.error(),
                    "reason", permanent ? "the receiver refused it" : "no attempts left");
            return true;
        }
        if (!record(job, previous, new WebhookDelivery(WebhookDelivery.PENDING, attempt, answer.statusCode(), answer.error(), now))) {
            return true;   // another delivery of this webhook recorded first and carries on from there
        }
        Duration delay = settings.retryPolicy().delayAfter(attempt, random);
        Log.info("webhook.retry_scheduled", "statusCode", answer.statusCode(), "error", answer.error(), "delaySeconds", delay.toSeconds());
        hideQuietly(message, delay);
        return false;
    }

    /**
     * A redirect, or a 4xx other than 408 (timeout), 425 (too early) and 429 (too many requests),
     * says the receiver will not take this call however often it comes: stop now.
     */
    static boolean isPermanent(Integer statusCode) {
        if (statusCode == null) {
            return false;
        }
        if (statusCode >= 300 && statusCode < 400) {
            return true;
        }
        return statusCode >= 400 && statusCode < 500 && statusCode != 408 && statusCode != 425 && statusCode != 429;
    }

    private boolean record(Job job, int previous, WebhookDelivery delivery) {
        boolean recorded = store.recordWebhook(job.jobId(), job.finishedAt(), previous, delivery);
        if (!recorded) {
            Log.info("webhook.outcome_not_recorded", "reason", "another delivery recorded attempt " + (previous + 1) + " first",
                    "webhookStatus", delivery.status());
        }
        return recorded;
    }

    private String sign(Job job, String body) {
        return WebhookSignature.header(secrets.secretFor(job.tenantId()), clock.instant().getEpochSecond(), body);
    }

    private static Map<String, String> headers(Job job, String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Jobline-Webhooks/1");
        headers.put("Jobline-Event", EVENT);
        headers.put("Jobline-Job-Id", job.jobId());
        headers.put(WebhookSignature.HEADER, signature);
        return headers;
    }

    private void hideQuietly(ReceivedMessage message, Duration delay) {
        try {
            queue.hide(message, delay);
        } catch (JobQueue.QueueUnavailable e) {
            // the message comes back after the queue's own visibility timeout instead
            Log.warn("webhook.backoff_not_set", "reason", e.getMessage());
        }
    }
}
