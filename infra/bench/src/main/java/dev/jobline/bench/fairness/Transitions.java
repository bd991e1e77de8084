package dev.jobline.bench.fairness;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What one scenario's functions did, seen in their own SDK calls (an interceptor on the clients they are given): the
 * job items' writes as the store returned them (a claim answers RUNNING, an end SUCCEEDED, a wait for a full limit
 * QUEUED with {@code waitingFor}), and every call by operation (those that succeeded, and those refused: a false
 * condition, such as a hold on a full limit). The figures come from the stored jobs afterwards;
 * this only says when to go on (the flood is running, every job has succeeded) and counts what the table cannot
 * show: how often a job was written SUCCEEDED, and which jobs ever waited.
 */
final class Transitions implements ExecutionInterceptor {
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> successesByJob = new ConcurrentHashMap<>();
    private final Map<String, String> waitedByJob = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> firstRunning = new ConcurrentHashMap<>();
    private final CountDownLatch allSucceeded;

    Transitions(int expectedJobs) {
        this.allSucceeded = new CountDownLatch(expectedJobs);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        refused.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        calls.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
        if (!(context.request() instanceof UpdateItemRequest update)) {
            return;
        }
        UpdateItemResponse response = (UpdateItemResponse) context.response();
        Map<String, AttributeValue> item = response.hasAttributes() ? response.attributes() : Map.of();
        String status = text(item, "status");
        String tenant = text(item, "tenantId");
        AttributeValue jobId = update.key().get("jobId");
        if (status == null || tenant == null || jobId == null) {
            return;   // counters, quotas and limits share the table
        }
        switch (status) {
            case "RUNNING" -> firstRunning(tenant).countDown();
            case "SUCCEEDED" -> {
                LongAdder count = successesByJob.computeIfAbsent(jobId.s(), k -> new LongAdder());
                count.increment();
                if (count.sum() == 1) {
                    allSucceeded.countDown();
                }
            }
            case "QUEUED" -> {
                if (item.containsKey("waitingFor")) {
                    waitedByJob.put(jobId.s(), tenant);
                }
            }
            default -> {
            }
        }
    }

    private CountDownLatch firstRunning(String tenant) {
        return firstRunning.computeIfAbsent(tenant, t -> new CountDownLatch(1));
    }

    boolean awaitFirstRunning(String tenant, long seconds) throws InterruptedException {
        return firstRunning(tenant).await(seconds, TimeUnit.SECONDS);
    }

    boolean awaitAllSucceeded(long seconds) throws InterruptedException {
        return allSucceeded.await(seconds, TimeUnit.SECONDS);
    }

    /** How many times each job was written SUCCEEDED (once each, or something ran twice). */
    Map<String, Long> successesByJob() {
        Map<String, Long> counts = new ConcurrentHashMap<>();
        successesByJob.forEach((job, count) -> counts.put(job, count.sum()));
        return counts;
    }

    /** How many of a tenant's jobs were marked waiting for a full limit at least once. */
    long jobsThatWaited(String tenant) {
        return waitedByJob.values().stream().filter(tenant::equals).count();
    }

    Map<String, Long> calls() {
        return sorted(calls);
    }

    Map<String, Long> refusedCalls() {
        return sorted(refused);
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((operation, count) -> sorted.put(operation, count.sum()));
        return sorted;
    }

    private static String operation(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
