package dev.jobline.store;

import dev.jobline.job.JobKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link KeyStore} in the jobs table: one item per held key ({@code key#<tenant>#<key>}, the tenant's length first so
 * no tenant's key can look like another's), in the in-flight index while held, so the sweeper can find every key
 * and give back those whose holder has gone. DynamoDB's TTL removes an item a day after its time ran out.
 */
public final class DynamoKeyStore implements KeyStore {
    static final String PREFIX = "key#";
    private static final String HOLDER = "holder";
    private static final String HELD_UNTIL = "heldUntil";
    private static final String TAKEN_AT = "takenAt";
    private static final String KEY_TENANT = "keyTenant";
    private static final String KEY_VALUE = "keyValue";

    private final DynamoDbClient dynamo;
    private final String table;
    private final DynamoJobStore jobs;

    public DynamoKeyStore(DynamoDbClient dynamo, String table, DynamoJobStore jobs) {
        this.dynamo = dynamo;
        this.table = table;
        this.jobs = jobs;
    }

    static String itemKey(String tenantId, String key) {
        return PREFIX + tenantId.length() + ":" + tenantId + "#" + key;
    }

    @Override
    public Taken take(String tenantId, JobKey key, String jobId, Instant now) {
        String id = itemKey(tenantId, key.value());
        try {
            Map<String, AttributeValue> before = dynamo.putItem(b -> b.tableName(table).item(item(id, tenantId, key, jobId, now))
                    .conditionExpression("attribute_not_exists(#id) OR #holder = :job OR #heldUntil < :now")
                    .expressionAttributeNames(Map.of("#id", JobItem.JOB_ID, "#holder", HOLDER, "#heldUntil", HELD_UNTIL))
                    .expressionAttributeValues(Map.of(":job", JobItem.s(jobId), ":now", JobItem.time(now)))
                    .returnValues(ReturnValue.ALL_OLD)).attributes();
            boolean already = before != null && before.containsKey(HOLDER) && before.get(HOLDER).s().equals(jobId);
            return already ? Taken.ALREADY : Taken.NOW;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> current = dynamo.getItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(id))).consistentRead(true)).item();
            // given back between the two calls: free now, so take it again
            return current == null || current.isEmpty() ? take(tenantId, key, jobId, now)
                    : new Taken(false, current.get(HOLDER).s(), JobItem.instant(current, TAKEN_AT));
        }
    }

    @Override
    public boolean takeOver(String tenantId, JobKey key, String fromJobId, String jobId, Instant now) {
        String id = itemKey(tenantId, key.value());
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(id, tenantId, key, jobId, now))
                    .conditionExpression("#holder = :from")
                    .expressionAttributeNames(Map.of("#holder", HOLDER))
                    .expressionAttributeValues(Map.of(":from", JobItem.s(fromJobId))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void giveBack(String tenantId, String key, String jobId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(itemKey(tenantId, key))))
                    .conditionExpression("#holder = :job")
                    .expressionAttributeNames(Map.of("#holder", HOLDER))
                    .expressionAttributeValues(Map.of(":job", JobItem.s(jobId))));
        } catch (ConditionalCheckFailedException e) {
            // held by another job since, or given back already: nothing of this job's to give
        }
    }

    @Override
    public List<HeldKey> held(int shard) {
        List<HeldKey> keys = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder()
                    .tableName(table)
                    .indexName(DynamoJobStore.IN_FLIGHT_INDEX)
                    .keyConditionExpression("#shard = :shard")
                    .filterExpression("begins_with(#id, :prefix)")
                    .expressionAttributeNames(Map.of("#shard", JobItem.INFLIGHT_SHARD, "#id", JobItem.JOB_ID))
                    .expressionAttributeValues(Map.of(":shard", JobItem.s(Integer.toString(shard)), ":prefix", JobItem.s(PREFIX)));
            if (startKey != null) {
                query.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamo.query(query.build());
            // the index holds keys only: read the key items themselves
            for (Map<String, AttributeValue> item : jobs.getAll(DynamoJobStore.jobIds(response.items()), false)) {
                if (item.containsKey(HOLDER)) {
                    keys.add(new HeldKey(item.get(KEY_TENANT).s(), item.get(KEY_VALUE).s(), item.get(HOLDER).s(),
                            JobItem.instant(item, TAKEN_AT), JobItem.instant(item, HELD_UNTIL)));
                }
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return keys;
    }

    private Map<String, AttributeValue> item(String id, String tenantId, JobKey key, String jobId, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobItem.JOB_ID, JobItem.s(id));
        item.put(HOLDER, JobItem.s(jobId));
        item.put(KEY_TENANT, JobItem.s(tenantId));
        item.put(KEY_VALUE, JobItem.s(key.value()));
        item.put(JobItem.KEY_SCOPE, JobItem.s(key.scope().name()));
        item.put(HELD_UNTIL, JobItem.time(key.heldUntil()));
        item.put(TAKEN_AT, JobItem.time(now));
        item.put(JobItem.EXPIRES_AT, JobItem.n(key.heldUntil().plus(Duration.ofDays(1)).getEpochSecond()));
        // in the in-flight index while held, due when its time runs out
        item.put(JobItem.INFLIGHT_SHARD, JobItem.s(Integer.toString(jobs.shardOf(id))));
        item.put(JobItem.SWEEP_AT, JobItem.time(key.heldUntil()));
        return item;
    }
}
