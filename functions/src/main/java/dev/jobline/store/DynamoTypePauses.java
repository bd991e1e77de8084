package dev.jobline.store;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link TypePauses} as one item of the jobs table ({@value #KEY}), one attribute per paused type
 * ({@code paused:<type>} = when, epoch millis): a worker reads every pause in one GetItem. No job attribute, so in no
 * index.
 */
public final class DynamoTypePauses implements TypePauses {
    static final String KEY = "jobtypes#paused";
    private static final String PREFIX = "paused:";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoTypePauses(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Map<String, Instant> paused() {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(KEY))).consistentRead(true)).item();
        Map<String, Instant> paused = new TreeMap<>();
        if (item != null) {
            item.forEach((name, value) -> {
                if (name.startsWith(PREFIX) && value.n() != null) {
                    paused.put(name.substring(PREFIX.length()), Instant.ofEpochMilli(Long.parseLong(value.n())));
                }
            });
        }
        return paused;
    }

    @Override
    public Instant pause(String type, Instant now) {
        Map<String, AttributeValue> after = dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(KEY)))
                // a second pause keeps the first one's time
                .updateExpression("SET #type = if_not_exists(#type, :now)")
                .expressionAttributeNames(Map.of("#type", PREFIX + type))
                .expressionAttributeValues(Map.of(":now", JobItem.time(now)))
                .returnValues(ReturnValue.ALL_NEW)).attributes();
        return Instant.ofEpochMilli(Long.parseLong(after.get(PREFIX + type).n()));
    }

    @Override
    public boolean resume(String type) {
        Map<String, AttributeValue> before = dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(KEY)))
                .updateExpression("REMOVE #type")
                .expressionAttributeNames(Map.of("#type", PREFIX + type))
                .returnValues(ReturnValue.UPDATED_OLD)).attributes();
        return before != null && before.containsKey(PREFIX + type);
    }
}
