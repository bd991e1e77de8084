package dev.jobline.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link LimitStore} in the jobs table: one item per limit, its holders as attributes ({@code h_<jobId>}: until when;
 * a holder of several places has {@code n_<holder>}: how many) and the places held ({@code held}), changed together by
 * conditional writes, so the number is always the holders'.
 * A full limit is checked for holds that ran out (their attempts crashed), which are removed one by one, each only if
 * it is still the one that ran out; then the hold is tried again.
 */
public final class DynamoLimitStore implements LimitStore {
    private static final String HELD = "held";
    private static final String HOLDER_PREFIX = "h_";
    private static final String PLACES_PREFIX = "n_";

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
    public boolean holdMany(String limit, int cap, String holder, int places, Instant until, Instant now) {
        if (places > cap) {
            return false;
        }
        for (int tries = 0; tries < 2; tries++) {
            if (write(limit, "SET #h = :until, #n = :places ADD #held :places",
                    "attribute_not_exists(#h) AND (attribute_not_exists(#held) OR #held <= :room)",
                    Map.of("#h", HOLDER_PREFIX + holder, "#n", PLACES_PREFIX + holder, "#held", HELD),
                    Map.of(":until", JobItem.time(until), ":places", JobItem.n(places), ":room", JobItem.n(cap - places)))) {
                return true;
            }
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(limit))).consistentRead(true)).item();
            if (item == null || item.containsKey(HOLDER_PREFIX + holder) || !removeRunOut(limit, item, now)) {
                return false;
            }
        }
        return false;
    }

    @Override
    public void releaseMany(String limit, String holder, int places) {
        write(limit, "REMOVE #h, #n ADD #held :minus", "attribute_exists(#h)",
                Map.of("#h", HOLDER_PREFIX + holder, "#n", PLACES_PREFIX + holder, "#held", HELD),
                Map.of(":minus", JobItem.n(-places)));
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
                String places = PLACES_PREFIX + hold.getKey().substring(HOLDER_PREFIX.length());
                long count = item.containsKey(places) ? Long.parseLong(item.get(places).n()) : 1;
                removed |= write(limit, "REMOVE #h, #n ADD #held :minus", "#h = :until",
                        Map.of("#h", hold.getKey(), "#n", places, "#held", HELD),
                        Map.of(":minus", JobItem.n(-count), ":until", hold.getValue()));
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
