package dev.jobline.local.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test function for SQS batches, scripted by message body: {@code fail-once-*} is reported in batchItemFailures on
 * its first receive, {@code throw-*} makes the whole invocation throw on its first receive, anything else succeeds.
 * Records what it was given.
 */
public final class ScriptedBatchHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** body to the ApproximateReceiveCount of each delivery. */
    static final Map<String, List<Integer>> DELIVERIES = new ConcurrentHashMap<>();
    static final List<Integer> BATCH_SIZES = new CopyOnWriteArrayList<>();
    static final List<String> EVENT_SOURCE_ARNS = new CopyOnWriteArrayList<>();

    static void reset() {
        DELIVERIES.clear();
        BATCH_SIZES.clear();
        EVENT_SOURCE_ARNS.clear();
    }

    static List<Integer> deliveries(String body) {
        return DELIVERIES.getOrDefault(body, List.of());
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        BATCH_SIZES.add(event.getRecords().size());
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        boolean fail = false;
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            int receiveCount = Integer.parseInt(record.getAttributes().get("ApproximateReceiveCount"));
            DELIVERIES.computeIfAbsent(record.getBody(), body -> new CopyOnWriteArrayList<>()).add(receiveCount);
            EVENT_SOURCE_ARNS.add(record.getEventSourceArn());
            if (record.getBody().startsWith("fail-once") && receiveCount == 1) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(record.getMessageId()).build());
            }
            fail |= record.getBody().startsWith("throw") && receiveCount == 1;
        }
        if (fail) {
            throw new IllegalStateException("scripted failure of the whole batch");
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }
}
