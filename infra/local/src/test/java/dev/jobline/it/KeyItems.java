package dev.jobline.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The concurrency keys and running limits as they are in the jobs table, read by the tests on unchecked clients (no
 * function's call). Found by their attributes, not by how their item keys are spelt: what a test asserts is that a
 * key is held by a job, or by nobody, and how many jobs hold a limit.
 */
final class KeyItems {
    private KeyItems() {
    }

    /** The job that holds the tenant's key in the table now; empty when no item holds it. */
    static Optional<String> holder(Jobline jobline, String tenantId, String key) {
        List<Map<String, AttributeValue>> items = scan(jobline, "keyTenant = :tenant AND keyValue = :key",
                Map.of(":tenant", AttributeValue.fromS(tenantId), ":key", AttributeValue.fromS(key)));
        if (items.size() > 1) {
            throw new AssertionError("two items for one key: " + items);
        }
        return items.stream().map(item -> item.get("holder").s()).findFirst();
    }

    /** How many key items the table holds, every tenant's. */
    static int count(Jobline jobline) {
        return scan(jobline, "attribute_exists(keyValue)", Map.of()).size();
    }

    /** The running limits' items: their id ({@code limit#...}) and how many attempts hold each now. */
    static Map<String, Integer> limitHolds(Jobline jobline) {
        Map<String, Integer> holds = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : scan(jobline, "begins_with(jobId, :limit)", Map.of(":limit", AttributeValue.fromS("limit#")))) {
            int holders = (int) item.keySet().stream().filter(name -> name.startsWith("h_")).count();
            int held = item.containsKey("held") ? Integer.parseInt(item.get("held").n()) : 0;
            if (held != holders) {
                throw new AssertionError("a limit's count is not its holders': " + item);
            }
            holds.put(item.get("jobId").s(), held);
        }
        return holds;
    }

    private static List<Map<String, AttributeValue>> scan(Jobline jobline, String filter, Map<String, AttributeValue> values) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder request = ScanRequest.builder().tableName(jobline.resources.tableName("JobsTable"))
                    .consistentRead(true).filterExpression(filter);
            if (!values.isEmpty()) {
                request.expressionAttributeValues(values);
            }
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            ScanResponse page = jobline.aws.dynamoClient().scan(request.build());
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
