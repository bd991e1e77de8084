package dev.jobline.webhook;

import dev.jobline.json.Json;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link WebhookQueue} on one SQS queue. */
public final class SqsWebhookQueue implements WebhookQueue {
    /** SQS refuses a visibility timeout above 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsWebhookQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(String jobId) {
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(Map.of("jobId", jobId))));
        } catch (SdkException e) {
            throw new JobQueue.QueueUnavailable("could not queue the webhook of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void hide(ReceivedMessage message, Duration visibility) {
        int seconds = (int) Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, visibility.toSeconds()));
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(seconds));
        } catch (SdkException e) {
            throw new JobQueue.QueueUnavailable("could not change a webhook message's visibility: " + e.getMessage(), e);
        }
    }
}
