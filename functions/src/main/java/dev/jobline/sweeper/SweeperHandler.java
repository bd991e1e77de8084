package dev.jobline.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** EventBridge schedule to one {@link Sweeper} pass; answers what the sweep did. */
public final class SweeperHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private final Sweeper sweeper;

    public SweeperHandler() {                // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().sweeper());
    }

    public SweeperHandler(Sweeper sweeper) { // tests and the local runner: pass the collaborators
        this.sweeper = sweeper;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        SweepReport report = sweeper.sweep(() -> Duration.ofMillis(context.getRemainingTimeInMillis()));
        Log.clearContext();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("itemsRead", report.itemsRead());
        answer.put("requeued", report.requeued());
        answer.put("resent", report.resent());
        answer.put("failed", report.failed());
        answer.put("deferred", report.deferred());
        answer.put("raced", report.raced());
        answer.put("complete", report.complete());
        answer.put("counted", report.counted());
        answer.put("tenantsCorrected", report.tenantsCorrected());
        answer.put("keysFreed", report.keysFreed());
        answer.put("released", report.released());
        answer.put("chainCancelled", report.chainCancelled());
        return answer;
    }
}
