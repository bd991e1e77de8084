package dev.jobline.store;

import java.time.Instant;
import java.util.Map;

/** A dead-lettered message kept whole, because it named no job that could be marked. */
public record DeadLetter(String messageId, String body, Map<String, String> attributes, int receiveCount,
                         String reason, Instant receivedAt) {

    /** Its key in the jobs table: a prefix no job id can have, so it never mixes with jobs. */
    public String key() {
        return "dlq#" + messageId;
    }
}
