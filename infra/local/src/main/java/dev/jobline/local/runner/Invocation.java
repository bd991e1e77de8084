package dev.jobline.local.runner;

import java.time.Duration;
import java.time.Instant;

/**
 * What one invocation of a function gave back.
 *
 * @param function  the function's logical id
 * @param trigger   what invoked it, e.g. {@code POST /jobs}, {@code SQS Jobs (3 records)}, {@code invoke}
 * @param requestId the Context's request id
 * @param response  the response as JSON, as Lambda's runtime serialized it; null on error
 * @param error     Lambda's error document ({@code errorType}, {@code errorMessage}, ...) as JSON; null on success
 */
public record Invocation(String function, String trigger, String requestId, Instant started, Duration duration,
        String response, String error) {

    public boolean failed() {
        return error != null;
    }
}
