package dev.jobline.webhook;

import dev.jobline.json.Json;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.queue.SqsLimits;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link WebhookQueue} on one SQS queue. */
public final class SqsWebhookQueue implements WebhookQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsWebhookQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(String jobId, String tenantId) {
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageGroupId(tenantId).messageBody(Json.write(Map.of("jobId", jobId))));
        } catch (SdkException e) {
            throw new JobQueue.QueueUnavailable("could not queue the webhook of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void hide(ReceivedMessage message, Duration visibility) {
        int seconds = SqsLimits.visibilitySeconds(visibility);
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(seconds));
        } catch (SdkException e) {
            throw new JobQueue.QueueUnavailable("could not change a webhook message's visibility: " + e.getMessage(), e);
        }
    }
}
