package dev.jobline.bench.throughput;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Counts every SDK call of the clients it is added to (their override configuration), by service and operation:
 * HTTP attempts (what AWS bills, retries included), calls, and calls that failed. It also prices DynamoDB capacity
 * ({@link CapacityModel}) and notes when each job's item turns SUCCEEDED.
 *
 * <p>When tracing, it records the requests themselves, so the raw floor can send exactly those: by scope (a name the
 * harness sets on its thread around one API or worker invocation, {@link #SCOPE}) and, for calls on threads the
 * harness does not name (the worker's own threads, one per record), by the job id of the item they touch.
 *
 * <p>One counter serves a benchmark; {@link #start} begins a fresh {@link Tally} for each run.
 */
public final class CallCounter implements ExecutionInterceptor {
    /** The invocation this thread is in, e.g. {@code submit#12} or {@code invoke#3}; null outside one. */
    static final ThreadLocal<String> SCOPE = new ThreadLocal<>();

    private volatile Tally tally = new Tally(null, 0, false);

    public Tally start(CapacityModel capacity, int expectedJobs, boolean trace) {
        Tally fresh = new Tally(capacity, expectedJobs, trace);
        tally = fresh;
        return fresh;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        tally.attempts.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Tally current = tally;
        current.calls.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
        SdkRequest request = context.request();
        current.trace(request, false);
        if (request instanceof PutItemRequest put) {
            current.priced(capacity -> capacity.put(put));
        } else if (request instanceof UpdateItemRequest update) {
            UpdateItemResponse response = (UpdateItemResponse) context.response();
            current.priced(capacity -> capacity.update(update, response));
            AttributeValue status = response.hasAttributes() ? response.attributes().get("status") : null;
            if (status != null && "SUCCEEDED".equals(status.s())) {
                current.succeeded(update.key());
            }
        } else if (request instanceof GetItemRequest get) {
            current.priced(capacity -> capacity.get(get, (GetItemResponse) context.response()));
        } else if (request instanceof QueryRequest query) {
            current.priced(capacity -> capacity.query(query, (QueryResponse) context.response()));
        } else if (request instanceof BatchGetItemRequest batch) {
            current.priced(capacity -> capacity.batchGet(batch, (BatchGetItemResponse) context.response()));
        } else if (isDynamo(attributes)) {
            current.priced(CapacityModel::other);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Tally current = tally;
        current.failures.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
        SdkRequest request = context.request();
        current.trace(request, true);
        if (context.exception() instanceof ConditionalCheckFailedException) {
            if (request instanceof UpdateItemRequest update) {
                current.priced(capacity -> capacity.conditionFailed(update.key()));
            } else if (request instanceof PutItemRequest put) {
                current.priced(capacity -> capacity.conditionFailed(put.item()));
            }
        }
    }

    private static boolean isDynamo(ExecutionAttributes attributes) {
        return "DynamoDb".equalsIgnoreCase(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
    }

    private static String operation(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    /** One recorded request, and whether it failed (a false condition, say), as the floor must know. */
    record TracedCall(SdkRequest request, boolean failed) {
    }

    /** What one run did. */
    public static final class Tally {
        final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();
        final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final CapacityModel capacity;
        private final Set<String> succeededJobs = ConcurrentHashMap.newKeySet();
        private final CountDownLatch allSucceeded;
        private final AtomicLong lastSucceededNanos = new AtomicLong();
        private final boolean tracing;
        private final Map<String, List<TracedCall>> byScope = new ConcurrentHashMap<>();
        private final Map<String, List<TracedCall>> byJob = new ConcurrentHashMap<>();

        Tally(CapacityModel capacity, int expectedJobs, boolean tracing) {
            this.capacity = capacity;
            this.allSucceeded = new CountDownLatch(Math.max(expectedJobs, 0));
            this.tracing = tracing;
        }

        private void priced(java.util.function.Consumer<CapacityModel> pricing) {
            if (capacity != null) {
                pricing.accept(capacity);
            }
        }

        private void succeeded(Map<String, AttributeValue> key) {
            if (succeededJobs.add(String.valueOf(key))) {
                long now = System.nanoTime();
                lastSucceededNanos.accumulateAndGet(now, Math::max);
                allSucceeded.countDown();
            }
        }

        private void trace(SdkRequest request, boolean failed) {
            if (!tracing) {
                return;
            }
            String scope = SCOPE.get();
            if (scope != null) {
                byScope.computeIfAbsent(scope, s -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(new TracedCall(request, failed));
                return;
            }
            String jobId = keyOf(request);
            if (jobId != null) {
                byJob.computeIfAbsent(jobId, s -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(new TracedCall(request, failed));
            }
        }

        private String keyOf(SdkRequest request) {
            if (capacity == null) {
                return null;
            }
            Map<String, AttributeValue> key = request instanceof PutItemRequest put ? put.item()
                    : request instanceof UpdateItemRequest update ? update.key()
                    : request instanceof GetItemRequest get ? get.key() : null;
            AttributeValue id = key == null ? null : key.get(capacity.primaryKeyName());
            return id == null ? null : id.s();
        }

        /** The calls made in one named invocation, in order. */
        List<TracedCall> scope(String scope) {
            return List.copyOf(byScope.getOrDefault(scope, List.of()));
        }

        /** The calls outside any named invocation that touched one job's item, in order. */
        List<TracedCall> job(String jobId) {
            return List.copyOf(byJob.getOrDefault(jobId, List.of()));
        }

        boolean awaitSucceeded(long timeout, TimeUnit unit) throws InterruptedException {
            return allSucceeded.await(timeout, unit);
        }

        int succeededJobs() {
            return succeededJobs.size();
        }

        long lastSucceededNanos() {
            return lastSucceededNanos.get();
        }

        public Map<String, Long> attemptsByOperation() {
            return snapshot(attempts);
        }

        public Map<String, Long> failuresByOperation() {
            return snapshot(failures);
        }

        public long totalAttempts() {
            return attempts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        /** HTTP attempts of one service, named as the SDK names it ({@code DynamoDb}, {@code Sqs}), any case. */
        long attempts(String service) {
            String prefix = service.toLowerCase(Locale.ROOT) + ".";
            return attempts.entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).startsWith(prefix))
                    .mapToLong(e -> e.getValue().sum()).sum();
        }

        private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
            Map<String, Long> sorted = new TreeMap<>();
            counts.forEach((operation, count) -> sorted.put(operation, count.sum()));
            return sorted;
        }
    }
}
