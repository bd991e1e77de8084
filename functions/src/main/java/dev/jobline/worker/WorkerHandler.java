package dev.jobline.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.config.Priming;
import dev.jobline.config.SnapshotHooks;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import dev.jobline.lambda.SqsEvents;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** SQS batch to {@link Worker}; the records it names are the ones SQS delivers again. */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final Worker worker;

    public WorkerHandler() {                 // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().worker());
        SnapshotHooks.register(Wiring.fromEnvironment(), Priming::claim);    // SnapStart: primed before the snapshot
    }

    public WorkerHandler(Worker worker) {    // tests and the local runner: pass the collaborators
        this.worker = worker;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        String invocationId = context.getAwsRequestId() == null ? UUID.randomUUID().toString() : context.getAwsRequestId();
        List<String> redeliver = worker.process(SqsEvents.messages(event), invocationId,
                () -> Duration.ofMillis(context.getRemainingTimeInMillis()));
        Log.clearContext();
        return SqsEvents.response(redeliver);
    }
}
