package dev.jobline.store;

import dev.jobline.metrics.Histogram;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * {@link TypeActivityStore} in the jobs table: one item per type and bucket ({@code activity#<type>#<bucket start,
 * epoch millis>}), counters and histogram buckets as top-level numbers (DynamoDB's ADD takes only those), removed by
 * TTL after {@code keepUntil}. No job attribute, so in no index.
 */
public final class DynamoTypeActivityStore implements TypeActivityStore {
    private static final int BATCH_GET_LIMIT = 100;
    private static final String[] COUNTS = {"submitted", "succeeded", "failed", "cancelled"};

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoTypeActivityStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static String key(String type, Instant bucketStart) {
        return "activity#" + type + "#" + bucketStart.toEpochMilli();
    }

    @Override
    public void add(String type, Instant bucketStart, Figures delta, Instant keepUntil) {
        if (delta.isEmpty()) {
            return;
        }
        Map<String, Long> amounts = new LinkedHashMap<>();
        long[] counts = {delta.submitted(), delta.succeeded(), delta.failed(), delta.cancelled()};
        for (int i = 0; i < COUNTS.length; i++) {
            amounts.put(COUNTS[i], counts[i]);
        }
        for (int i = 0; i < Histogram.BUCKETS; i++) {
            amounts.put("run" + i, delta.runTime()[i]);
            amounts.put("wait" + i, delta.queueWait()[i]);
        }
        List<String> adds = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        amounts.forEach((name, amount) -> {
            if (amount != 0) {
                adds.add("#" + name + " :" + name);
                names.put("#" + name, name);
                values.put(":" + name, JobItem.n(amount));
            }
        });
        names.put("#expiresAt", JobItem.EXPIRES_AT);
        values.put(":expiresAt", JobItem.n(keepUntil.getEpochSecond()));
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(key(type, bucketStart))))
                .updateExpression("SET #expiresAt = :expiresAt ADD " + String.join(", ", adds))
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    @Override
    public Map<String, Figures> read(Collection<String> types, List<Instant> bucketStarts) {
        Map<String, String> typeOfKey = new LinkedHashMap<>();
        for (String type : types) {
            for (Instant start : bucketStarts) {
                typeOfKey.put(key(type, start), type);
            }
        }
        Map<String, long[]> sums = new LinkedHashMap<>();
        for (String type : types) {
            sums.put(type, new long[COUNTS.length + 2 * Histogram.BUCKETS]);
        }
        List<String> keys = new ArrayList<>(typeOfKey.keySet());
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> batch = new ArrayList<>();
            for (String key : keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT))) {
                batch.add(Map.of(JobItem.JOB_ID, JobItem.s(key)));
            }
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(batch).build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> ask = request;
                var response = dynamo.batchGetItem(b -> b.requestItems(ask));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    long[] sum = sums.get(typeOfKey.get(item.get(JobItem.JOB_ID).s()));
                    for (int i = 0; i < COUNTS.length; i++) {
                        sum[i] += number(item, COUNTS[i]);
                    }
                    for (int i = 0; i < Histogram.BUCKETS; i++) {
                        sum[COUNTS.length + i] += number(item, "run" + i);
                        sum[COUNTS.length + Histogram.BUCKETS + i] += number(item, "wait" + i);
                    }
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        Map<String, Figures> figures = new LinkedHashMap<>();
        sums.forEach((type, sum) -> figures.put(type, new Figures(sum[0], sum[1], sum[2], sum[3],
                java.util.Arrays.copyOfRange(sum, COUNTS.length, COUNTS.length + Histogram.BUCKETS),
                java.util.Arrays.copyOfRange(sum, COUNTS.length + Histogram.BUCKETS, sum.length))));
        return figures;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
