package dev.jobline.store;

import static dev.jobline.store.JobItem.n;
import static dev.jobline.store.JobItem.s;
import static dev.jobline.store.JobItem.time;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link ReconcileRunStore} in the jobs table: one item, {@code reconcile#run}. It has no job's attributes (its status is
 * {@code runStatus}), so it is in no index, and the scan it describes skips it.
 */
public final class DynamoReconcileRunStore implements ReconcileRunStore {
    static final String KEY = "reconcile#run";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoReconcileRunStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<ReconcileRun> current() {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, s(KEY))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ReconcileRun(JobItem.str(item, "runId"), ReconcileRun.Status.valueOf(JobItem.str(item, "runStatus")),
                ReconcileRun.Trigger.valueOf(JobItem.str(item, "trigger")), JobItem.instant(item, "startedAt"),
                JobItem.instant(item, "scanEndedAt"), JobItem.instant(item, "finishedAt"), JobItem.str(item, "cursor"),
                whole(item, "itemsRead"), item.containsKey("readUnits") ? Double.parseDouble(item.get("readUnits").n()) : 0,
                whole(item, "resent"), (int) whole(item, "tenantsCorrected"), whole(item, "version"),
                JobItem.instant(item, "heldUntil"), JobItem.str(item, "tally")));
    }

    @Override
    public boolean write(ReconcileRun run, long expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobItem.JOB_ID, s(KEY));
        item.put("runId", s(run.runId()));
        item.put("runStatus", s(run.status().name()));
        item.put("trigger", s(run.trigger().name()));
        item.put("startedAt", time(run.startedAt()));
        putTime(item, "scanEndedAt", run.scanEndedAt());
        putTime(item, "finishedAt", run.finishedAt());
        putTime(item, "heldUntil", run.heldUntil());
        if (run.cursor() != null) {
            item.put("cursor", s(run.cursor()));
        }
        if (run.tally() != null) {
            item.put("tally", s(run.tally()));
        }
        item.put("itemsRead", n(run.itemsRead()));
        item.put("readUnits", AttributeValue.fromN(java.math.BigDecimal.valueOf(run.readUnits()).stripTrailingZeros().toPlainString()));
        item.put("resent", n(run.resent()));
        item.put("tenantsCorrected", n(run.tenantsCorrected()));
        item.put("version", n(run.version()));
        try {
            dynamo.putItem(b -> {
                b.tableName(table).item(item);
                if (expectedVersion == 0) {
                    b.conditionExpression("attribute_not_exists(jobId)");
                } else {
                    b.conditionExpression("version = :version").expressionAttributeValues(Map.of(":version", n(expectedVersion)));
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static void putTime(Map<String, AttributeValue> item, String name, Instant value) {
        if (value != null) {
            item.put(name, time(value));
        }
    }

    private static long whole(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
