package dev.jobline.bench.fairness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * One job as the store left it after a scenario: times in epoch milliseconds from the functions' own clock (this
 * JVM's), {@code startedAt} written by the first claim, {@code finishedAt} by the end; null when never written.
 */
record StoredJob(String jobId, String tenantId, String status, long attempts, long createdAt, Long startedAt,
                 Long finishedAt) {

    /** Submission accepted (the item's creation) to the claim that started its first attempt. */
    long waitMillis() {
        return startedAt - createdAt;
    }

    /** Submission accepted to the end. */
    long endToEndMillis() {
        return finishedAt - createdAt;
    }

    boolean succeededOnce() {
        return "SUCCEEDED".equals(status) && attempts == 1 && startedAt != null && finishedAt != null;
    }

    /** Every job item of the table (items with a status: counters, quotas and limits share it). */
    static List<StoredJob> scan(DynamoDbClient dynamo, String table) {
        List<StoredJob> jobs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(b -> b.tableName(table).consistentRead(true).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.containsKey("status") && item.containsKey("tenantId")) {
                    jobs.add(new StoredJob(item.get("jobId").s(), item.get("tenantId").s(), item.get("status").s(),
                            number(item, "attempts", 0L), number(item, "createdAt", 0L), number(item, "startedAt", null),
                            number(item, "finishedAt", null)));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return jobs;
    }

    /**
     * Running-limit items ({@code held}: how many attempts hold it; {@code h_<attempt>}: each holder) not back to
     * empty: after every attempt has ended, a hold left here is a leak (until it runs out with its lease).
     */
    static Map<String, String> limitsStillHeld(DynamoDbClient dynamo, String table) {
        Map<String, String> held = new java.util.TreeMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(b -> b.tableName(table).consistentRead(true).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                long holders = item.keySet().stream().filter(name -> name.startsWith("h_")).count();
                Long count = number(item, "held", null);
                if (count != null && (count != 0 || holders != 0)) {
                    held.put(item.get("jobId").s(), "held " + count + ", holders " + holders);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return held;
    }

    private static Long number(Map<String, AttributeValue> item, String name, Long fallback) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? fallback : Long.valueOf(value.n());
    }
}
