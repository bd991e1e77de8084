package dev.jobline.deadletter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import dev.jobline.lambda.SqsEvents;

/** The dead-letter queue's batch to {@link DeadLetters}; what could not be recorded stays in the DLQ. */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final DeadLetters deadLetters;

    public DeadLetterHandler() {                       // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().deadLetters());
    }

    public DeadLetterHandler(DeadLetters deadLetters) { // tests and the local runner: pass the collaborators
        this.deadLetters = deadLetters;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        SQSBatchResponse response = SqsEvents.response(deadLetters.process(SqsEvents.messages(event)));
        Log.clearContext();
        return response;
    }
}
