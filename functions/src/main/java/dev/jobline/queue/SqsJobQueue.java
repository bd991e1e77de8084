package dev.jobline.queue;

import dev.jobline.job.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** {@link JobQueue} on SQS: one queue per priority. */
public final class SqsJobQueue implements JobQueue {

    private final SqsClient sqs;
    private final Map<Priority, String> queueUrls;

    public SqsJobQueue(SqsClient sqs, Map<Priority, String> queueUrls) {
        if (!queueUrls.containsKey(Priority.NORMAL)) {
            throw new IllegalArgumentException("the normal-priority queue is required");
        }
        this.sqs = sqs;
        this.queueUrls = new EnumMap<>(queueUrls);
    }

    private String urlFor(Priority priority) {
        return queueUrls.getOrDefault(priority, queueUrls.get(Priority.NORMAL));
    }

    @Override
    public void send(JobMessage message) {
        try {
            sqs.sendMessage(b -> b.queueUrl(urlFor(message.priority()))
                    .messageBody(message.body())
                    .delaySeconds((int) message.delay().toSeconds())
                    // the tenant is the message group: SQS fair queues keep one tenant's flood from delaying the others
                    .messageGroupId(message.tenantId())
                    .messageAttributes(attributes(message)));
        } catch (SdkException e) {
            throw new QueueUnavailable("could not send job " + message.jobId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<JobMessage> sendAll(List<JobMessage> messages) {
        List<JobMessage> notSent = new ArrayList<>();
        Map<Priority, List<JobMessage>> byQueue = new EnumMap<>(Priority.class);
        for (JobMessage message : messages) {
            byQueue.computeIfAbsent(message.priority(), p -> new ArrayList<>()).add(message);
        }
        byQueue.forEach((priority, group) -> {
            for (int from = 0; from < group.size(); from += SqsLimits.MAX_BATCH) {
                notSent.addAll(sendBatch(urlFor(priority), group.subList(from, Math.min(group.size(), from + SqsLimits.MAX_BATCH))));
            }
        });
        return notSent;
    }

    private List<JobMessage> sendBatch(String queueUrl, List<JobMessage> batch) {
        Map<String, JobMessage> byEntryId = new HashMap<>();
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            JobMessage message = batch.get(i);
            String entryId = Integer.toString(i);
            byEntryId.put(entryId, message);
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id(entryId)
                    .messageBody(message.body())
                    .delaySeconds((int) message.delay().toSeconds())
                    .messageGroupId(message.tenantId())
                    .messageAttributes(attributes(message))
                    .build());
        }
        try {
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            List<JobMessage> failed = new ArrayList<>();
            for (BatchResultErrorEntry error : response.failed()) {
                failed.add(byEntryId.get(error.id()));
            }
            return failed;
        } catch (SdkException e) {
            return batch;
        }
    }

    @Override
    public void resend(ReceivedMessage message, Duration delay) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        for (String name : List.of(JobMessage.TENANT_ATTRIBUTE, JobMessage.TYPE_ATTRIBUTE)) {
            String value = message.attributes().get(name);
            if (value != null) {
                attributes.put(name, text(value));
            }
        }
        int seconds = (int) Math.min(SqsLimits.MAX_DELAY.toSeconds(), Math.max(0, delay.toSeconds()));
        try {
            String tenantId = message.attributes().get(JobMessage.TENANT_ATTRIBUTE);
            sqs.sendMessage(b -> b.queueUrl(urlOf(message.source()))
                    .messageBody(message.body())
                    .delaySeconds(seconds)
                    // the same message group (the tenant) as the copy it replaces
                    .messageGroupId(tenantId)
                    .messageAttributes(attributes));
        } catch (SdkException e) {
            throw new QueueUnavailable("could not send a message again: " + e.getMessage(), e);
        }
    }

    @Override
    public void hide(ReceivedMessage message, Duration visibility) {
        int seconds = SqsLimits.visibilitySeconds(visibility);
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(urlOf(message.source()))
                    .receiptHandle(message.receiptHandle())
                    .visibilityTimeout(seconds));
        } catch (SdkException e) {
            throw new QueueUnavailable("could not change a message's visibility: " + e.getMessage(), e);
        }
    }

    /** The URL of the queue an event source names by ARN; both end in the queue's name. */
    private String urlOf(String queueArn) {
        if (queueArn != null) {
            String name = queueArn.substring(queueArn.lastIndexOf(':') + 1);
            for (String url : queueUrls.values()) {
                if (url.endsWith("/" + name)) {
                    return url;
                }
            }
        }
        return queueUrls.get(Priority.NORMAL);
    }

    private static Map<String, MessageAttributeValue> attributes(JobMessage message) {
        if (message.writeVersion() > 0) {
            return Map.of(JobMessage.TENANT_ATTRIBUTE, text(message.tenantId()), JobMessage.TYPE_ATTRIBUTE, text(message.type()),
                    JobMessage.WRITE_VERSION_ATTRIBUTE, MessageAttributeValue.builder().dataType("Number")
                            .stringValue(Long.toString(message.writeVersion())).build());
        }
        return Map.of(JobMessage.TENANT_ATTRIBUTE, text(message.tenantId()), JobMessage.TYPE_ATTRIBUTE, text(message.type()));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
