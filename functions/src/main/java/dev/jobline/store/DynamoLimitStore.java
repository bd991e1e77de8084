package dev.jobline.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link LimitStore} in the jobs table: one item per limit, its holders as attributes ({@code h_<jobId>}: until when)
 * and their number ({@code held}), changed together by conditional writes, so the number is always the holders'.
 * A full limit is checked for holds that ran out (their attempts crashed), which are removed one by one, each only if
 * it is still the one that ran out; then the hold is tried again.
 */
public final class DynamoLimitStore implements LimitStore {
    private static final String HELD = "held";
    private static final String HOLDER_PREFIX = "h_";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLimitStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean hold(String limit, int cap, String jobId, Instant until, Instant now) {
        String holder = HOLDER_PREFIX + jobId;
        for (int tries = 0; tries < 2; tries++) {
            if (write(limit, "SET #h = :until ADD #held :one", "attribute_not_exists(#h) AND (attribute_not_exists(#held) OR #held < :cap)",
                    Map.of("#h", holder, "#held", HELD),
                    Map.of(":until", JobItem.time(until), ":one", JobItem.n(1), ":cap", JobItem.n(cap)))) {
                return true;
            }
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(limit))).consistentRead(true)).item();
            if (item != null && item.containsKey(holder)) {
                // a holder already (its own job taken over again): the hold is only moved on
                return extend(limit, jobId, until);
            }
            if (item == null || !removeRunOut(limit, item, now)) {
                return false;
            }
        }
        return false;
    }

    @Override
    public boolean extend(String limit, String jobId, Instant until) {
        return write(limit, "SET #h = :until", "attribute_exists(#h)", Map.of("#h", HOLDER_PREFIX + jobId),
                Map.of(":until", JobItem.time(until)));
    }

    @Override
    public void release(String limit, String jobId) {
        write(limit, "REMOVE #h ADD #held :minus", "attribute_exists(#h)", Map.of("#h", HOLDER_PREFIX + jobId, "#held", HELD),
                Map.of(":minus", JobItem.n(-1)));
    }

    /** Removes the holds in {@code item} that ran out before {@code now}, each only if unchanged; true if any was. */
    private boolean removeRunOut(String limit, Map<String, AttributeValue> item, Instant now) {
        boolean removed = false;
        for (Map.Entry<String, AttributeValue> hold : item.entrySet()) {
            if (hold.getKey().startsWith(HOLDER_PREFIX) && Long.parseLong(hold.getValue().n()) < now.toEpochMilli()) {
                removed |= write(limit, "REMOVE #h ADD #held :minus", "#h = :until", Map.of("#h", hold.getKey(), "#held", HELD),
                        Map.of(":minus", JobItem.n(-1), ":until", hold.getValue()));
            }
        }
        return removed;
    }

    private boolean write(String limit, String expression, String condition, Map<String, String> names,
                          Map<String, AttributeValue> values) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(limit)))
                    .updateExpression(expression)
                    .conditionExpression(condition)
                    .expressionAttributeNames(new HashMap<>(names))
                    .expressionAttributeValues(new HashMap<>(values)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
