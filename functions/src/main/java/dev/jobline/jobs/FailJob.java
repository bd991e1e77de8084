package dev.jobline.jobs;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobHandler;
import java.util.Map;

/**
 * Fails as its payload says, for testing retries: {"retryable": true, "failTimes": 2, "code": "X"}
 * fails the first two attempts and then succeeds; without failTimes it fails every attempt.
 */
public final class FailJob implements JobHandler {
    @Override
    public Object run(JobContext context) {
        Map<?, ?> payload = PayloadFields.object(context.payload());
        boolean retryable = PayloadFields.optionalBoolean(payload, "retryable", true);
        long failTimes = PayloadFields.optionalLong(payload, "failTimes", Long.MAX_VALUE);
        String code = PayloadFields.optionalString(payload, "code", "DELIBERATE_FAILURE");
        String message = PayloadFields.optionalString(payload, "message", "failed as asked");
        if (context.attempt() <= failTimes) {
            throw retryable ? JobFailure.retryable(code, message) : JobFailure.permanent(code, message);
        }
        return Map.of("succeededOnAttempt", context.attempt());
    }
}
