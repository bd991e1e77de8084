package dev.jobline.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.queue.ReceivedMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Lambda's SQS event in, partial batch response out: the two ends of every queue-fed function. */
public final class SqsEvents {
    private SqsEvents() {
    }

    /** The event's records; attributes hold the message attributes and SQS's own (SentTimestamp, ...). */
    public static List<ReceivedMessage> messages(SQSEvent event) {
        List<ReceivedMessage> messages = new ArrayList<>();
        if (event == null || event.getRecords() == null) {
            return messages;
        }
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            Map<String, String> attributes = new HashMap<>();
            if (record.getAttributes() != null) {
                attributes.putAll(record.getAttributes());
            }
            if (record.getMessageAttributes() != null) {
                record.getMessageAttributes().forEach((name, value) -> attributes.put(name, value.getStringValue()));
            }
            messages.add(new ReceivedMessage(record.getMessageId(), record.getBody(), record.getReceiptHandle(),
                    receiveCount(record), attributes, record.getEventSourceArn()));
        }
        return messages;
    }

    /** Names the messages SQS should deliver again; the rest are deleted by the event source. */
    public static SQSBatchResponse response(List<String> redeliver) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(redeliver.size());
        for (String messageId : redeliver) {
            failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(messageId).build());
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    private static int receiveCount(SQSEvent.SQSMessage record) {
        String count = record.getAttributes() == null ? null : record.getAttributes().get("ApproximateReceiveCount");
        try {
            return count == null ? 0 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
