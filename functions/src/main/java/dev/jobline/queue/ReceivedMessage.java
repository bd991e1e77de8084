package dev.jobline.queue;

import java.util.Map;

/** A message as a worker received it, free of any SDK or Lambda type. */
public record ReceivedMessage(String messageId, String body, String receiptHandle, int receiveCount,
                              Map<String, String> attributes) {
}
