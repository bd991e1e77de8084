package dev.jobline.queue;

import dev.jobline.json.Json;
import java.util.Map;
import java.util.Optional;

/**
 * What the queue carries for a job: its id, with tenant and type as message attributes. Never the
 * payload, which stays in the table, so SQS's message size limit can never cut one.
 */
public record JobMessage(String jobId, String tenantId, String type) {

    public String body() {
        return Json.write(Map.of("jobId", jobId));
    }

    /** The job id in a message body, or empty when the body is not one of ours. */
    public static Optional<String> jobIdFrom(String body) {
        if (body == null || body.isEmpty() || body.length() > 1024) {
            return Optional.empty();
        }
        try {
            if (Json.parse(body) instanceof Map<?, ?> map
                    && map.get("jobId") instanceof String id
                    && !id.isBlank()
                    && id.length() <= 128) {
                return Optional.of(id);
            }
        } catch (Json.MalformedJson e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
