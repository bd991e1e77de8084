package dev.jobline.queue;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** {@link JobQueue} on one SQS queue. */
public final class SqsJobQueue implements JobQueue {
    /** SQS refuses a visibility timeout above 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(JobMessage message) {
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl)
                    .messageBody(message.body())
                    .messageAttributes(Map.of(
                            "tenantId", text(message.tenantId()),
                            "type", text(message.type()))));
        } catch (SdkException e) {
            throw new QueueUnavailable("could not send job " + message.jobId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void hide(String receiptHandle, Duration visibility) {
        int seconds = (int) Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, visibility.toSeconds()));
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
        } catch (SdkException e) {
            throw new QueueUnavailable("could not change a message's visibility: " + e.getMessage(), e);
        }
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
