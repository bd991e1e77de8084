package dev.jobline.scheduler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** EventBridge schedule (every minute) to one {@link Scheduler} pass; answers what the pass did. */
public final class SchedulerHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private final Scheduler scheduler;

    public SchedulerHandler() {                    // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().scheduler());
    }

    public SchedulerHandler(Scheduler scheduler) { // tests and the local runner: pass the collaborators
        this.scheduler = scheduler;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        Scheduler.Report report = scheduler.fire(() -> Duration.ofMillis(context.getRemainingTimeInMillis()));
        Log.clearContext();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("schedulesRead", report.schedulesRead());
        answer.put("created", report.created());
        answer.put("skipped", report.skipped());
        answer.put("deferred", report.deferred());
        answer.put("refused", report.refused());
        answer.put("invalid", report.invalid());
        answer.put("recovered", report.recovered());
        answer.put("raced", report.raced());
        answer.put("complete", report.complete());
        return answer;
    }
}
