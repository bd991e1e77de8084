package dev.jobline.bench.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.worker.WorkerHandler;

/** Jobline's {@link WorkerHandler}, wired once per container as Lambda would, with the SDK's default clients. */
public final class DefaultsWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final WorkerHandler handler = new WorkerHandler(DefaultsWiring.fromEnvironment().worker());

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return handler.handleRequest(event, context);
    }
}
