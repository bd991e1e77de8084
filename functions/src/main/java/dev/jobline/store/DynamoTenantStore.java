package dev.jobline.store;

import dev.jobline.job.JobStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * {@link TenantStore} in the jobs table: one item per tenant ({@code tenant#<id>}), a list of tenants
 * ({@code tenants}), and the reconciliation's count of what is in flight ({@code stats#inflight}). None of them has a job's
 * attributes, so none is in an index. Limits: at most {@code maxInFlight} jobs QUEUED or RUNNING, at most
 * {@code submitsPerMinute} submissions in a fixed one-minute window; a reservation takes both in one write.
 */
public final class DynamoTenantStore implements TenantStore {
    private static final String IN_FLIGHT = "inFlight";
    private static final String WINDOW_START = "windowStart";
    private static final String WINDOW_COUNT = "windowCount";
    private static final String DOLLARS = "costDollars";
    private static final String TENANT_IDS = "tenantIds";
    private static final String REGISTRY_KEY = "tenants";
    private static final String SNAPSHOT_KEY = "stats#inflight";
    /** How often a reservation tries again after losing the race to open a new window to a concurrent one. */
    private static final int WINDOW_RACES = 5;
    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int maxInFlight;
    private final int submitsPerMinute;

    public DynamoTenantStore(DynamoDbClient dynamo, String table, int maxInFlight, int submitsPerMinute) {
        this.dynamo = dynamo;
        this.table = table;
        this.maxInFlight = maxInFlight;
        this.submitsPerMinute = submitsPerMinute;
    }

    public static String key(String tenantId) {
        return "tenant#" + tenantId;
    }

    @Override
    public Decision reserve(String tenantId, int jobs, Delta counted, Instant now) {
        long window = now.getEpochSecond() / 60;
        Duration untilNextWindow = Duration.ofSeconds((window + 1) * 60 - now.getEpochSecond());
        if (jobs > submitsPerMinute) {
            return new Decision(false, "submitsPerMinute", untilNextWindow);
        }
        if (jobs > maxInFlight) {
            return new Decision(false, "maxInFlight", Duration.ofSeconds(30));
        }
        Map<String, AttributeValue> newWindowValues = Map.of(
                ":n", JobItem.n(jobs),
                ":zero", JobItem.n(0),
                ":window", JobItem.n(window),
                ":flightRoom", JobItem.n(maxInFlight - jobs));
        // the new jobs' counts and cost ride on the reservation: one write per submission
        Update counts = counts(counted);
        Map<String, AttributeValue> withCounts = new HashMap<>(newWindowValues);
        withCounts.putAll(counts.values);
        newWindowValues = withCounts;
        Map<String, AttributeValue> sameWindowValues = new HashMap<>(newWindowValues);
        sameWindowValues.put(":rateRoom", JobItem.n(submitsPerMinute - jobs));
        String inFlightFits = "(attribute_not_exists(inFlight) OR inFlight <= :flightRoom)";
        for (int tries = 0; tries < WINDOW_RACES; tries++) {
            // the common case, one write: the same window, with room in both limits
            if (update(tenantId, counts.expression("SET windowCount = windowCount + :n, inFlight = if_not_exists(inFlight, :zero) + :n"),
                    "windowStart = :window AND windowCount <= :rateRoom AND " + inFlightFits, counts.names, sameWindowValues) != null) {
                return Decision.GRANTED;
            }
            // a new window starts with this submission (the tenant's first one, too: then it joins the list)
            Map<String, AttributeValue> before = update(tenantId,
                    counts.expression("SET windowStart = :window, windowCount = :n, inFlight = if_not_exists(inFlight, :zero) + :n"),
                    "(attribute_not_exists(windowStart) OR windowStart < :window) AND " + inFlightFits, counts.names, newWindowValues);
            if (before != null) {
                if (!before.containsKey(WINDOW_START)) {
                    register(List.of(tenantId));
                }
                return Decision.GRANTED;
            }
            // both refused: a limit is reached, or another submission opened this window between the two writes
            // (then the first write fits now): read to know which, and try again only in the second case
            Decision refusal = refusal(tenantId, jobs, window, untilNextWindow);
            if (refusal != null) {
                return refusal;
            }
        }
        return new Decision(false, "submitsPerMinute", untilNextWindow);
    }

    /** Why both writes were refused; null when neither limit is reached (a lost race to open the window). */
    private Decision refusal(String tenantId, int jobs, long window, Duration untilNextWindow) {
        Map<String, AttributeValue> item = get(key(tenantId));
        if (number(item, IN_FLIGHT) + jobs > maxInFlight) {
            return new Decision(false, "maxInFlight", Duration.ofSeconds(30));
        }
        long windowStart = item.containsKey(WINDOW_START) ? number(item, WINDOW_START) : -1;
        if (windowStart == window && number(item, WINDOW_COUNT) + jobs > submitsPerMinute) {
            return new Decision(false, "submitsPerMinute", untilNextWindow);
        }
        return null;
    }

    @Override
    public void unreserve(String tenantId, int jobs) {
        if (jobs > 0) {
            apply(tenantId, new Delta(Map.of(), -jobs, BigDecimal.ZERO));
        }
    }

    /** The ADD clauses of a delta's status counts and cost (its in-flight part is the caller's). */
    private static Update counts(Delta delta) {
        Update counts = new Update();
        delta.jobs().forEach((status, n) -> {
            if (n != 0) {
                counts.add(status.name(), JobItem.n(n));
            }
        });
        if (delta.dollars().signum() != 0) {
            counts.add(DOLLARS, JobItem.decimal(delta.dollars()));
        }
        return counts;
    }

    @Override
    public void apply(String tenantId, Delta delta) {
        if (delta.isEmpty()) {
            return;
        }
        Update counts = counts(delta);
        if (delta.inFlight() >= 0) {
            if (delta.inFlight() > 0) {
                counts.add(IN_FLIGHT, JobItem.n(delta.inFlight()));
            }
            write(tenantId, counts.expression(null), null, counts);
            return;
        }
        // places given back: never below zero (a count the sweeper put right must not go negative)
        Update release = counts.copy().add(IN_FLIGHT, JobItem.n(delta.inFlight())).value(":room", JobItem.n(-delta.inFlight()));
        if (!write(tenantId, release.expression(null), "#" + IN_FLIGHT + " >= :room", release)) {
            Update floor = counts.copy().name(IN_FLIGHT).value(":zero", JobItem.n(0));
            write(tenantId, floor.expression("SET #" + IN_FLIGHT + " = :zero"), null, floor);
        }
    }

    /** The ADD clauses of one update, with their names and values (DynamoDB refuses any that is not used). */
    private static final class Update {
        private final List<String> adds = new ArrayList<>();
        private final Map<String, String> names = new HashMap<>();
        private final Map<String, AttributeValue> values = new HashMap<>();

        Update add(String attribute, AttributeValue amount) {
            adds.add("#" + attribute + " :" + attribute);
            names.put("#" + attribute, attribute);
            values.put(":" + attribute, amount);
            return this;
        }

        Update name(String attribute) {
            names.put("#" + attribute, attribute);
            return this;
        }

        Update value(String placeholder, AttributeValue value) {
            values.put(placeholder, value);
            return this;
        }

        Update copy() {
            Update copy = new Update();
            copy.adds.addAll(adds);
            copy.names.putAll(names);
            copy.values.putAll(values);
            return copy;
        }

        String expression(String set) {
            String add = adds.isEmpty() ? "" : "ADD " + String.join(", ", adds);
            return set == null ? add : add.isEmpty() ? set : set + " " + add;
        }
    }

    @Override
    public List<String> tenants() {
        Map<String, AttributeValue> registry = get(REGISTRY_KEY);
        AttributeValue ids = registry.get(TENANT_IDS);
        return ids == null || !ids.hasSs() ? List.of() : new ArrayList<>(new java.util.TreeSet<>(ids.ss()));
    }

    @Override
    public void register(Collection<String> tenantIds) {
        if (tenantIds.isEmpty()) {
            return;
        }
        // a set: adding a tenant that is there already changes nothing
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(REGISTRY_KEY)))
                .updateExpression("ADD " + TENANT_IDS + " :ids")
                .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(new ArrayList<>(tenantIds)))));
    }

    @Override
    public Map<String, TenantCounts> read(Collection<String> tenantIds) {
        Map<String, TenantCounts> counts = new TreeMap<>();
        List<String> ids = new ArrayList<>(tenantIds);
        for (String id : ids) {
            counts.put(id, new TenantCounts(id, 0, 0, zeros(), BigDecimal.ZERO));
        }
        for (int from = 0; from < ids.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (String id : ids.subList(from, Math.min(ids.size(), from + BATCH_GET_LIMIT))) {
                keys.add(Map.of(JobItem.JOB_ID, JobItem.s(key(id))));
            }
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> ask = request;
                var response = dynamo.batchGetItem(b -> b.requestItems(ask));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    String id = item.get(JobItem.JOB_ID).s().substring("tenant#".length());
                    Map<JobStatus, Long> jobs = zeros();
                    for (JobStatus status : JobStatus.values()) {
                        jobs.put(status, number(item, status.name()));
                    }
                    AttributeValue dollars = item.get(DOLLARS);
                    counts.put(id, new TenantCounts(id, number(item, IN_FLIGHT), number(item, WINDOW_COUNT), jobs,
                            dollars == null ? BigDecimal.ZERO : new BigDecimal(dollars.n())));
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return counts;
    }

    @Override
    public void saveSnapshot(InFlightSnapshot snapshot) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobItem.JOB_ID, JobItem.s(SNAPSHOT_KEY));
        item.put("countedAt", JobItem.time(snapshot.countedAt()));
        item.put("byType", counts(snapshot.byType()));
        item.put("byTenant", counts(snapshot.byTenant()));
        if (snapshot.oldestQueuedAt() != null) {
            item.put("oldestQueuedAt", JobItem.time(snapshot.oldestQueuedAt()));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    private static AttributeValue counts(Map<String, InFlightCounts> counts) {
        Map<String, AttributeValue> all = new LinkedHashMap<>();
        counts.forEach((name, n) -> all.put(name, AttributeValue.fromM(Map.of("QUEUED", JobItem.n(n.queued()),
                "RUNNING", JobItem.n(n.running()), "LIMITED", JobItem.n(n.limited()), "WAITING", JobItem.n(n.waiting())))));
        return AttributeValue.fromM(all);
    }

    private static Map<String, InFlightCounts> counts(AttributeValue stored) {
        Map<String, InFlightCounts> counts = new TreeMap<>();
        if (stored != null && stored.hasM()) {
            stored.m().forEach((name, n) -> counts.put(name, new InFlightCounts(count(n, "QUEUED"), count(n, "RUNNING"),
                    count(n, "LIMITED"), count(n, "WAITING"))));
        }
        return counts;
    }

    private static long count(AttributeValue counts, String name) {
        AttributeValue n = counts.m().get(name);
        return n == null ? 0 : Long.parseLong(n.n());
    }

    @Override
    public Optional<InFlightSnapshot> snapshot() {
        Map<String, AttributeValue> item = get(SNAPSHOT_KEY);
        if (item.isEmpty()) {
            return Optional.empty();
        }
        Instant oldest = item.containsKey("oldestQueuedAt") ? Instant.ofEpochMilli(number(item, "oldestQueuedAt")) : null;
        return Optional.of(new InFlightSnapshot(Instant.ofEpochMilli(number(item, "countedAt")), counts(item.get("byType")),
                counts(item.get("byTenant")), oldest));
    }

    private static Map<JobStatus, Long> zeros() {
        Map<JobStatus, Long> jobs = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            jobs.put(status, 0L);
        }
        return jobs;
    }

    private Map<String, AttributeValue> get(String key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(key))).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    /** A conditional update of a tenant's item; the attributes as they were before it, or null when the condition failed. */
    private Map<String, AttributeValue> update(String tenantId, String expression, String condition,
                                               Map<String, String> names, Map<String, AttributeValue> values) {
        try {
            UpdateItemResponse response = dynamo.updateItem(b -> {
                b.tableName(table)
                        .key(Map.of(JobItem.JOB_ID, JobItem.s(key(tenantId))))
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeValues(values)
                        .returnValues(ReturnValue.UPDATED_OLD);
                if (!names.isEmpty()) {
                    b.expressionAttributeNames(names);
                }
            });
            return response.attributes() == null ? Map.of() : response.attributes();
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    private boolean write(String tenantId, String expression, String condition, Update update) {
        try {
            dynamo.updateItem(b -> {
                b.tableName(table)
                        .key(Map.of(JobItem.JOB_ID, JobItem.s(key(tenantId))))
                        .updateExpression(expression)
                        .expressionAttributeNames(update.names)
                        .expressionAttributeValues(update.values);
                if (condition != null) {
                    b.conditionExpression(condition);
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
