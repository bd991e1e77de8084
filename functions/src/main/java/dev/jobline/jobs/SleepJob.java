package dev.jobline.jobs;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobHandler;
import java.util.Map;

/**
 * Sleeps {@code seconds} (or {@code millis}) in {@code steps} equal steps, reporting progress after
 * each. Stops early when the job is cancelled. Payload: {"seconds": 5, "steps": 5}.
 */
public final class SleepJob implements JobHandler {
    static final long MAX_MILLIS = 15 * 60 * 1000L;

    @Override
    public Object run(JobContext context) throws InterruptedException {
        Map<?, ?> payload = PayloadFields.object(context.payload());
        long millis = PayloadFields.optionalLong(payload, "millis", -1);
        if (millis < 0) {
            millis = PayloadFields.optionalLong(payload, "seconds", 1) * 1000;
        }
        long steps = PayloadFields.optionalLong(payload, "steps", 10);
        if (millis < 0 || millis > MAX_MILLIS) {
            throw JobFailure.permanent("INVALID_PAYLOAD", "sleep time must be 0.." + MAX_MILLIS + " ms");
        }
        if (steps < 1 || steps > 10_000) {
            throw JobFailure.permanent("INVALID_PAYLOAD", "steps must be 1..10000");
        }
        long stepMillis = millis / steps;
        for (long step = 1; step <= steps; step++) {
            if (context.isCancelRequested()) {
                return Map.of("sleptMillis", stepMillis * (step - 1), "cancelled", true);
            }
            Thread.sleep(stepMillis);
            context.reportProgress(step, steps, "slept " + step + " of " + steps + " steps");
        }
        return Map.of("sleptMillis", stepMillis * steps);
    }
}
