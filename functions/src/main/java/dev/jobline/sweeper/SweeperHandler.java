package dev.jobline.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import dev.jobline.reconcile.Reconciliation;
import dev.jobline.store.ReconcileRun;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * EventBridge schedule to one {@link Sweeper} pass, then as much of an active reconciliation as the invocation has time
 * for; answers what both did. The daily reconciliation rule's event ({@code "detail": {"reconcile": "start"}}) starts
 * a run instead of sweeping, and carries it on.
 */
public final class SweeperHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    private final Sweeper sweeper;
    private final Reconciliation reconciliation;

    public SweeperHandler() {                // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().sweeperDuties());
    }

    public SweeperHandler(SweeperDuties duties) { // the local runner: the service its Wiring builds
        this(duties.sweeper(), duties.reconciliation());
    }

    public SweeperHandler(Sweeper sweeper, Reconciliation reconciliation) { // tests and the local runner: pass the collaborators
        this.sweeper = sweeper;
        this.reconciliation = reconciliation;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        Supplier<Duration> timeLeft = () -> Duration.ofMillis(context.getRemainingTimeInMillis());
        Map<String, Object> answer = new LinkedHashMap<>();
        if (startsReconciliation(event)) {
            try {
                answer.put("started", reconciliation.start(ReconcileRun.Trigger.SCHEDULE).runId());
            } catch (Reconciliation.RunActive e) {
                // yesterday's run is not over yet (a very large table at a low read rate): it goes on
                Log.warn("reconcile.still_running", "runId", e.run().runId());
            }
        } else {
            SweepReport report = sweeper.sweep(timeLeft);
            answer.put("itemsRead", report.itemsRead());
            answer.put("requeued", report.requeued());
            answer.put("resent", report.resent());
            answer.put("failed", report.failed());
            answer.put("deferred", report.deferred());
            answer.put("raced", report.raced());
            answer.put("complete", report.complete());
            answer.put("keysFreed", report.keysFreed());
            answer.put("released", report.released());
            answer.put("chainCancelled", report.chainCancelled());
        }
        Optional<ReconcileRun> run = reconciliation.proceed(timeLeft);
        run.ifPresent(r -> answer.put("reconcile", Reconciliation.view(r)));
        Log.clearContext();
        return answer;
    }

    private static boolean startsReconciliation(ScheduledEvent event) {
        return event != null && event.getDetail() != null && "start".equals(event.getDetail().get("reconcile"));
    }
}
