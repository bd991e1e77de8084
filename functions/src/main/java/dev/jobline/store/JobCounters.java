package dev.jobline.store;

import dev.jobline.job.JobStatus;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Jobs per status, as counters the functions keep. Each invocation collects its moves and writes
 * them once, to one of {@code shards} items chosen at random, so no counter item gets every write;
 * reading sums the shards. It also gives back tenants' in-flight quota for jobs that ended.
 * Counts can drift if a function dies between a job's write and the flush: they are for operators,
 * not for decisions.
 */
public final class JobCounters {
    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;
    private final TenantQuotas quotas;
    private final Map<JobStatus, Long> deltas = new EnumMap<>(JobStatus.class);
    private final Map<String, Integer> endedByTenant = new HashMap<>();

    public JobCounters(DynamoDbClient dynamo, String table, int shards, TenantQuotas quotas) {
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
        this.quotas = quotas;
    }

    static String key(int shard) {
        return "stats#" + shard;
    }

    /** A job moved from one status to another; {@code from} is null for a new job. */
    public synchronized void moved(String tenantId, JobStatus from, JobStatus to) {
        if (from != null) {
            deltas.merge(from, -1L, Long::sum);
        }
        deltas.merge(to, 1L, Long::sum);
        if (from != null && from.isInFlight() && to.isTerminal()) {
            endedByTenant.merge(tenantId, 1, Integer::sum);
        }
    }

    /** Writes what this invocation counted. A failure is logged by the caller and the counts are dropped. */
    public void flush() {
        Map<JobStatus, Long> counted;
        Map<String, Integer> ended;
        synchronized (this) {
            counted = new EnumMap<>(deltas);
            ended = new HashMap<>(endedByTenant);
            deltas.clear();
            endedByTenant.clear();
        }
        counted.values().removeIf(delta -> delta == 0);
        if (!counted.isEmpty()) {
            StringBuilder expression = new StringBuilder("ADD ");
            Map<String, String> names = new HashMap<>();
            Map<String, AttributeValue> values = new HashMap<>();
            counted.forEach((status, delta) -> {
                if (!names.isEmpty()) {
                    expression.append(", ");
                }
                expression.append("#").append(status.name()).append(" :").append(status.name());
                names.put("#" + status.name(), status.name());
                values.put(":" + status.name(), JobItem.n(delta));
            });
            int shard = ThreadLocalRandom.current().nextInt(shards);
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(key(shard))))
                    .updateExpression(expression.toString())
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        }
        ended.forEach(quotas::release);
    }

    /** Jobs per status: the shards summed. */
    public Map<JobStatus, Long> totals() {
        Map<JobStatus, Long> totals = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            totals.put(status, 0L);
        }
        List<Map<String, AttributeValue>> keys = new java.util.ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            keys.add(Map.of(JobItem.JOB_ID, JobItem.s(key(shard))));
        }
        for (int from = 0; from < keys.size(); from += 100) {
            List<Map<String, AttributeValue>> chunk = keys.subList(from, Math.min(keys.size(), from + 100));
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(chunk).consistentRead(true).build());
            for (Map<String, AttributeValue> item : dynamo.batchGetItem(b -> b.requestItems(request)).responses().getOrDefault(table, List.of())) {
                for (JobStatus status : JobStatus.values()) {
                    AttributeValue value = item.get(status.name());
                    if (value != null && value.n() != null) {
                        totals.merge(status, Long.parseLong(value.n()), Long::sum);
                    }
                }
            }
        }
        return totals;
    }
}
