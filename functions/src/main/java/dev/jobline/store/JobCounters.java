package dev.jobline.store;

import dev.jobline.job.JobStatus;
import dev.jobline.metrics.JobMetrics;
import java.math.BigDecimal;
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
 * reading sums the shards. It also gives back tenants' in-flight quota for jobs that ended, adds what
 * the invocation's jobs cost to their tenants' sums ({@code cost#<tenantId>} on the same shard item, so
 * /stats reads them with the counts: no scan), and is the one place a move becomes a metric
 * ({@link JobMetrics}, flushed with the counts). Counts can drift if a function dies between a job's
 * write and the flush: they are for operators, not for decisions.
 */
public final class JobCounters {
    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;
    private final TenantQuotas quotas;
    private final Map<JobStatus, Long> deltas = new EnumMap<>(JobStatus.class);
    private final Map<String, Integer> endedByTenant = new HashMap<>();
    private final Map<String, BigDecimal> costByTenant = new HashMap<>();
    private final JobMetrics metrics;

    public JobCounters(DynamoDbClient dynamo, String table, int shards, TenantQuotas quotas, JobMetrics metrics) {
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
        this.quotas = quotas;
        this.metrics = metrics;
    }

    /** The attribute of a stats item that sums a tenant's cost in dollars. */
    static String costKey(String tenantId) {
        return COST_PREFIX + tenantId;
    }

    private static final String COST_PREFIX = "cost#";

    public JobMetrics metrics() {
        return metrics;
    }

    static String key(int shard) {
        return "stats#" + shard;
    }

    /** A job of a type moved from one status to another; {@code from} is null for a new job. */
    public synchronized void moved(String tenantId, String type, JobStatus from, JobStatus to, JobMetrics.Cause cause) {
        metrics.moved(type, from, to, cause);
        if (from != null) {
            deltas.merge(from, -1L, Long::sum);
        }
        deltas.merge(to, 1L, Long::sum);
        if (from != null && from.isInFlight() && to.isTerminal()) {
            endedByTenant.merge(tenantId, 1, Integer::sum);
        }
    }

    /** A step of a tenant's job cost this much (its own write recorded it on the job). */
    public synchronized void costIncurred(String tenantId, BigDecimal dollars) {
        costByTenant.merge(tenantId, dollars, BigDecimal::add);
    }

    /** {@link #flush()} for the end of an invocation: a failure is logged, never thrown, and the counts are dropped. */
    public void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            dev.jobline.log.Log.warn("counters.flush_failed", "reason", e.getMessage());
        }
    }

    /**
     * Writes what this invocation counted: the metrics first (stdout, cannot fail the write), then the counts and
     * costs. A failure of the write is thrown (see flushQuietly) and the counts are dropped.
     */
    public void flush() {
        Map<JobStatus, Long> counted;
        Map<String, Integer> ended;
        Map<String, BigDecimal> costs;
        synchronized (this) {
            counted = new EnumMap<>(deltas);
            ended = new HashMap<>(endedByTenant);
            costs = new HashMap<>(costByTenant);
            deltas.clear();
            endedByTenant.clear();
            costByTenant.clear();
        }
        metrics.flush();
        counted.values().removeIf(delta -> delta == 0);
        costs.values().removeIf(dollars -> dollars.signum() == 0);
        if (!counted.isEmpty() || !costs.isEmpty()) {
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
            int tenant = 0;
            for (Map.Entry<String, BigDecimal> cost : costs.entrySet()) {
                if (!names.isEmpty()) {
                    expression.append(", ");
                }
                expression.append("#c").append(tenant).append(" :c").append(tenant);
                names.put("#c" + tenant, costKey(cost.getKey()));
                values.put(":c" + tenant, JobItem.decimal(cost.getValue()));
                tenant++;
            }
            int shard = ThreadLocalRandom.current().nextInt(shards);
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(key(shard))))
                    .updateExpression(expression.toString())
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        }
        ended.forEach(quotas::release);
    }

    /** Jobs per status and dollars per tenant, the shards summed. */
    public record Totals(Map<JobStatus, Long> jobs, Map<String, BigDecimal> costByTenant) {
    }

    /** Jobs per status: the shards summed. */
    public Map<JobStatus, Long> totals() {
        return read().jobs();
    }

    /** Jobs per status and each tenant's cost so far (as counted since the stats items exist), the shards summed. */
    public Totals read() {
        Map<JobStatus, Long> totals = new EnumMap<>(JobStatus.class);
        Map<String, BigDecimal> costs = new java.util.TreeMap<>();
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
                item.forEach((name, value) -> {
                    if (name.startsWith(COST_PREFIX) && value.n() != null) {
                        costs.merge(name.substring(COST_PREFIX.length()), new BigDecimal(value.n()), BigDecimal::add);
                    }
                });
            }
        }
        return new Totals(totals, costs);
    }
}
