package dev.jobline.it;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Faults a test injects into the functions' table calls: writes to the items whose key starts with a prefix fail, as
 * if the function died between a job's write and this one (the job's own write, to its id, goes through).
 */
final class TableFaults implements ExecutionInterceptor {
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** From now on, every write to an item whose key starts with {@code prefix} fails. */
    void failWritesTo(String prefix) {
        failing.add(prefix);
    }

    /** How long each claim's write waits before it is sent: a store that stalls while a worker claims. */
    private volatile Duration claimStall = Duration.ZERO;

    /** From now on, every claim's write is sent {@code stall} late (the claim's conditional update). */
    void stallClaims(Duration stall) {
        claimStall = stall;
    }

    /** How many of the next writes of a new job's item (PutItem) fail: as if the API died after its send, before its write. */
    private final java.util.concurrent.atomic.AtomicInteger jobPutsToFail = new java.util.concurrent.atomic.AtomicInteger();

    void failNextJobPuts(int puts) {
        jobPutsToFail.addAndGet(puts);
    }

    void heal() {
        failing.clear();
        claimStall = Duration.ZERO;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Map<String, AttributeValue> key = context.request() instanceof UpdateItemRequest update ? update.key()
                : context.request() instanceof PutItemRequest put ? put.item()
                : context.request() instanceof DeleteItemRequest delete ? delete.key() : null;
        if (!claimStall.isZero() && context.request() instanceof UpdateItemRequest update
                && update.expressionAttributeNames().containsValue("claimedFrom")) {
            try {
                Thread.sleep(claimStall.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (context.request() instanceof PutItemRequest put && put.item().containsKey("jobType")
                && jobPutsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw SdkClientException.create("injected fault: the function died after sending " + put.item().get("jobId").s()
                    + "'s message, before writing it");
        }
        AttributeValue id = key == null ? null : key.get("jobId");
        if (id != null && id.s() != null && failing.stream().anyMatch(id.s()::startsWith)) {
            throw SdkClientException.create("injected fault: the function died before writing " + id.s());
        }
    }
}
