package dev.jobline.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import dev.jobline.queue.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** SQS batch to {@link Worker}; the records it names are the ones SQS delivers again. */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final Worker worker;

    public WorkerHandler() {                 // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().worker());
    }

    public WorkerHandler(Worker worker) {    // tests and the local runner: pass the collaborators
        this.worker = worker;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        List<ReceivedMessage> messages = new ArrayList<>();
        if (event.getRecords() != null) {
            for (SQSEvent.SQSMessage record : event.getRecords()) {
                messages.add(toMessage(record));
            }
        }
        String invocationId = context.getAwsRequestId() == null ? UUID.randomUUID().toString() : context.getAwsRequestId();
        List<String> failed = worker.process(messages, invocationId, () -> Duration.ofMillis(context.getRemainingTimeInMillis()));
        Log.clearContext();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(failed.size());
        for (String messageId : failed) {
            failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(messageId).build());
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    private static ReceivedMessage toMessage(SQSEvent.SQSMessage record) {
        Map<String, String> attributes = new HashMap<>();
        if (record.getMessageAttributes() != null) {
            record.getMessageAttributes().forEach((name, value) -> attributes.put(name, value.getStringValue()));
        }
        int receiveCount = 0;
        if (record.getAttributes() != null) {
            try {
                receiveCount = Integer.parseInt(record.getAttributes().getOrDefault("ApproximateReceiveCount", "0"));
            } catch (NumberFormatException e) {
                receiveCount = 0;
            }
        }
        return new ReceivedMessage(record.getMessageId(), record.getBody(), record.getReceiptHandle(), receiveCount, attributes);
    }
}
