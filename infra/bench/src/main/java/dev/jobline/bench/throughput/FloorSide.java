package dev.jobline.bench.throughput;

import dev.jobline.config.Clients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The raw floor: the very SQS and DynamoDB requests Jobline made in its warm-up (same items, expressions, conditions
 * and message attributes, recorded by {@link CallCounter}), sent again with no Jobline code around them: no
 * validation, no job model, no logging, no handler. Three recordings are replayed:
 * <ul>
 *   <li>per submit: every call of one API invocation, with its job id and tenant swapped for the new ones;</li>
 *   <li>per record: every call the worker made for that job outside its invocation's own thread (claim, finish),
 *       with the job id swapped; run in parallel across a batch like the worker (WORKER_PARALLELISM);</li>
 *   <li>per worker invocation: every call the invocation that carried that job made on its own thread (counters,
 *       quota releases), sent as they were.</li>
 * </ul>
 * A replayed conditional write may find its condition false where Jobline's did not (or the other way round); the
 * floor makes the call all the same and moves on.
 */
final class FloorSide {
    private final String tracedJobId;
    private final String tracedTenant;
    private final List<SdkRequest> submitCalls = new ArrayList<>();
    private final List<SdkRequest> recordCalls = new ArrayList<>();
    private final List<SdkRequest> invocationCalls = new ArrayList<>();
    private final String bodyPrefix;
    private final String bodySuffix;
    private final Clients clients;
    private final String table;
    private final Map<String, String> queues;
    private final int parallelism;

    /**
     * @param queues the Jobline stack's queue URLs to the floor stack's
     */
    FloorSide(CallCounter.Tally warm, List<EventSourcePoller.Invocation> invocations, String submitScope,
              Clients clients, String table, Map<String, String> queues, int parallelism) {
        this.clients = clients;
        this.table = table;
        this.queues = Map.copyOf(queues);
        this.parallelism = parallelism;
        List<CallCounter.TracedCall> submit = warm.scope(submitScope);
        PutItemRequest put = submit.stream().map(CallCounter.TracedCall::request)
                .filter(PutItemRequest.class::isInstance).map(PutItemRequest.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("API invocation " + submitScope + " stored no item: " + submit));
        this.tracedJobId = put.item().get("jobId").s();
        this.tracedTenant = put.item().get("tenantId").s();
        String body = null;
        List<SdkRequest> sends = new ArrayList<>();
        for (CallCounter.TracedCall call : submit) {
            if (call.request() instanceof SendMessageRequest send) {
                body = send.messageBody();
                sends.add(supported(call.request()));
            } else {
                submitCalls.add(supported(call.request()));
            }
        }
        // Jobline sends before it writes, and its worker holds back a message that comes before its item; the floor's
        // replayed worker has no such logic (a claim that fails is made all the same), so it replays the same calls
        // with the send last: the same requests, without a race the floor cannot stand
        submitCalls.addAll(sends);
        if (body == null || !body.contains(tracedJobId)) {
            throw new IllegalStateException("API invocation " + submitScope + " sent no message for " + tracedJobId);
        }
        this.bodyPrefix = body.substring(0, body.indexOf(tracedJobId));
        this.bodySuffix = body.substring(body.indexOf(tracedJobId) + tracedJobId.length());
        warm.job(tracedJobId).forEach(call -> recordCalls.add(supported(call.request())));
        EventSourcePoller.Invocation carrier = invocations.stream()
                .filter(invocation -> invocation.bodies().stream().anyMatch(b -> b.contains(tracedJobId)))
                .findFirst().orElseThrow(() -> new IllegalStateException("no worker invocation carried " + tracedJobId));
        warm.scope(carrier.scope()).forEach(call -> invocationCalls.add(supported(call.request())));
        if (recordCalls.isEmpty()) {
            throw new IllegalStateException("the worker made no call for " + tracedJobId);
        }
    }

    private static SdkRequest supported(SdkRequest request) {
        if (request instanceof PutItemRequest || request instanceof UpdateItemRequest
                || request instanceof GetItemRequest || request instanceof SendMessageRequest) {
            return request;
        }
        throw new IllegalStateException("the floor cannot replay " + request.getClass().getSimpleName());
    }

    /** The replayed calls, for the report. */
    Map<String, List<String>> calls() {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        calls.put("per submit", names(submitCalls));
        calls.put("per record", names(recordCalls));
        calls.put("per worker invocation", names(invocationCalls));
        return calls;
    }

    private static List<String> names(List<SdkRequest> requests) {
        return requests.stream().map(r -> r.getClass().getSimpleName().replace("Request", "")).toList();
    }

    Pipeline.Submitter submitter() {
        return (jobs, tenant) -> {
            Map<String, String> swaps = Map.of(tracedJobId, UUID.randomUUID().toString(), tracedTenant, tenant);
            for (SdkRequest request : submitCalls) {
                send(request, swaps);
            }
            return 1;
        };
    }

    EventSourcePoller.Function worker() {
        ExecutorService threads = Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "floor-worker");
            thread.setDaemon(true);
            return thread;
        });
        return (batch, queueArn) -> {
            List<Future<?>> running = new ArrayList<>(batch.size());
            for (Message message : batch) {
                String jobId = message.body().substring(bodyPrefix.length(), message.body().length() - bodySuffix.length());
                running.add(threads.submit(() -> {
                    for (SdkRequest request : recordCalls) {
                        send(request, Map.of(tracedJobId, jobId));
                    }
                    return null;
                }));
            }
            List<String> redeliver = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                try {
                    running.get(i).get();
                } catch (Exception e) {
                    redeliver.add(batch.get(i).messageId());
                }
            }
            for (SdkRequest request : invocationCalls) {
                send(request, Map.of());
            }
            return redeliver;
        };
    }

    private void send(SdkRequest request, Map<String, String> swaps) {
        try {
            if (request instanceof PutItemRequest put) {
                clients.dynamo().putItem(put.toBuilder().tableName(table).item(swap(put.item(), swaps)).build());
            } else if (request instanceof UpdateItemRequest update) {
                UpdateItemRequest.Builder swapped = update.toBuilder().tableName(table).key(swap(update.key(), swaps));
                if (update.hasExpressionAttributeValues()) {
                    swapped.expressionAttributeValues(swap(update.expressionAttributeValues(), swaps));
                }
                clients.dynamo().updateItem(swapped.build());
            } else if (request instanceof GetItemRequest get) {
                clients.dynamo().getItem(get.toBuilder().tableName(table).key(swap(get.key(), swaps)).build());
            } else if (request instanceof SendMessageRequest message) {
                Map<String, MessageAttributeValue> attributes = new HashMap<>();
                message.messageAttributes().forEach((name, value) -> attributes.put(name,
                        value.stringValue() == null ? value : value.toBuilder().stringValue(swap(value.stringValue(), swaps)).build()));
                clients.sqs().sendMessage(message.toBuilder()
                        .queueUrl(queues.getOrDefault(message.queueUrl(), message.queueUrl()))
                        .messageBody(swap(message.messageBody(), swaps))
                        .messageAttributes(attributes).build());
            }
        } catch (ConditionalCheckFailedException e) {
            // the call was made; its outcome is no concern of the floor
        }
    }

    private static String swap(String text, Map<String, String> swaps) {
        String swapped = text;
        for (Map.Entry<String, String> swap : swaps.entrySet()) {
            swapped = swapped.replace(swap.getKey(), swap.getValue());
        }
        return swapped;
    }

    private static Map<String, AttributeValue> swap(Map<String, AttributeValue> values, Map<String, String> swaps) {
        Map<String, AttributeValue> swapped = new HashMap<>();
        values.forEach((name, value) -> swapped.put(name, swap(value, swaps)));
        return swapped;
    }

    private static AttributeValue swap(AttributeValue value, Map<String, String> swaps) {
        if (value.s() != null) {
            String swapped = swap(value.s(), swaps);
            return swapped.equals(value.s()) ? value : AttributeValue.fromS(swapped);
        }
        if (value.hasM()) {
            return AttributeValue.fromM(swap(value.m(), swaps));
        }
        if (value.hasL()) {
            return AttributeValue.fromL(value.l().stream().map(v -> swap(v, swaps)).toList());
        }
        return value;
    }
}
