package dev.jobline.queue;

import java.util.Map;

/**
 * A message as a function received it, free of any SDK or Lambda type. {@code source} is the ARN of
 * the queue it came from, which a visibility change must name.
 */
public record ReceivedMessage(String messageId, String body, String receiptHandle, int receiveCount,
                              Map<String, String> attributes, String source) {
}
