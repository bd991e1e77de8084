package dev.jobline.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What operators ask of the queues: depths, reachability, and moving dead letters back. */
public final class QueueAdmin {
    private final SqsClient sqs;
    private final Map<String, String> queueUrls;
    private final String deadLetterQueueArn;

    /** @param queueUrls the queues by display name (normal, high, deadLetter) */
    public QueueAdmin(SqsClient sqs, Map<String, String> queueUrls, String deadLetterQueueArn) {
        this.sqs = sqs;
        this.queueUrls = new LinkedHashMap<>(queueUrls);
        this.queueUrls.values().removeIf(url -> url == null);
        this.deadLetterQueueArn = deadLetterQueueArn;
    }

    /** Messages waiting, being processed, and delayed, per queue. */
    public record Depth(long visible, long inFlight, long delayed) {
    }

    public Map<String, Depth> depths() {
        Map<String, Depth> depths = new LinkedHashMap<>();
        queueUrls.forEach((name, url) -> {
            GetQueueAttributesResponse attributes = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
            depths.put(name, new Depth(
                    count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                    count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                    count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)));
        });
        return depths;
    }

    /**
     * Starts moving every message in the dead-letter queue back to the queue it came from (SQS's
     * StartMessageMoveTask); returns the task handle.
     */
    public String moveDeadLettersBack() {
        if (deadLetterQueueArn == null) {
            throw new IllegalStateException("DEAD_LETTER_QUEUE_ARN is not set for this function");
        }
        return sqs.startMessageMoveTask(b -> b.sourceArn(deadLetterQueueArn)).taskHandle();
    }

    private static long count(GetQueueAttributesResponse attributes, QueueAttributeName name) {
        String value = attributes.attributes().get(name);
        return value == null ? 0 : Long.parseLong(value);
    }
}
