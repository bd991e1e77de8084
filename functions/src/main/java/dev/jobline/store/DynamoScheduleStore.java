package dev.jobline.store;

import static dev.jobline.store.JobItem.instant;
import static dev.jobline.store.JobItem.s;
import static dev.jobline.store.JobItem.str;
import static dev.jobline.store.JobItem.time;

import dev.jobline.json.Json;
import dev.jobline.schedule.Overlap;
import dev.jobline.schedule.Schedule;
import dev.jobline.schedule.ScheduleRun;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@link ScheduleStore} on the schedules table: key {@code tenantId} + {@code name}, so a tenant's list is one Query of
 * its own partition. {@code dueShard} and {@code nextFireAt} key the sparse {@code due} index (keys only); dueShard is
 * there only while the schedule can fire (not paused, a next fire left), so the scheduler reads only what is due.
 */
public final class DynamoScheduleStore implements ScheduleStore {
    static final String DUE_INDEX = "due";
    static final String TENANT = "tenantId";
    static final String NAME = "name";
    static final String DUE_SHARD = "dueShard";
    static final String NEXT_FIRE_AT = "nextFireAt";
    private static final String VERSION = "version";
    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;

    public DynamoScheduleStore(DynamoDbClient dynamo, String table, int shards) {
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
    }

    @Override
    public int shards() {
        return shards;
    }

    /** A schedule's shard of the due index: fixed by tenant and name, spread evenly. */
    int shardOf(Schedule schedule) {
        return Math.floorMod((schedule.tenantId() + "#" + schedule.name()).hashCode(), shards);
    }

    @Override
    public boolean create(Schedule schedule) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(toItem(schedule))
                    .conditionExpression("attribute_not_exists(#name)")
                    .expressionAttributeNames(Map.of("#name", NAME)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Schedule> find(String tenantId, String name) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(tenantId, name)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    @Override
    public boolean replace(Schedule schedule, long expectedVersion) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(toItem(schedule))
                    .conditionExpression("#version = :expected")
                    .expressionAttributeNames(Map.of("#version", VERSION))
                    .expressionAttributeValues(Map.of(":expected", JobItem.n(expectedVersion))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean delete(String tenantId, String name) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(tenantId, name))
                    .conditionExpression("attribute_exists(#name)")
                    .expressionAttributeNames(Map.of("#name", NAME)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public SchedulePage list(String tenantId, int limit, String cursor) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table)
                .keyConditionExpression("#tenant = :tenant")
                .expressionAttributeNames(Map.of("#tenant", TENANT))
                .expressionAttributeValues(Map.of(":tenant", s(tenantId)))
                .limit(limit);
        if (cursor != null) {
            query.exclusiveStartKey(key(tenantId, decodeCursor(cursor)));
        }
        QueryResponse response = dynamo.query(query.build());
        List<Schedule> schedules = response.items().stream().map(DynamoScheduleStore::fromItem).toList();
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                        response.lastEvaluatedKey().get(NAME).s().getBytes(StandardCharsets.UTF_8))
                : null;
        return new SchedulePage(schedules, next);
    }

    private static String decodeCursor(String cursor) {
        try {
            String name = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new JobStore.InvalidCursor("not a cursor of this list: " + cursor);
    }

    @Override
    public List<Schedule> due(int shard, Instant horizon) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(DUE_INDEX)
                    .keyConditionExpression("#shard = :shard AND #next <= :horizon")
                    .expressionAttributeNames(Map.of("#shard", DUE_SHARD, "#next", NEXT_FIRE_AT))
                    .expressionAttributeValues(Map.of(":shard", s(Integer.toString(shard)), ":horizon", time(horizon)));
            if (startKey != null) {
                query.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamo.query(query.build());
            for (Map<String, AttributeValue> item : response.items()) {
                keys.add(key(item.get(TENANT).s(), item.get(NAME).s()));
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        // the index holds keys only, and lags its table: read the schedules themselves, and keep those still due
        List<Schedule> due = new ArrayList<>();
        for (Map<String, AttributeValue> item : getAll(keys)) {
            Schedule schedule = fromItem(item);
            if (!schedule.paused() && schedule.nextFireAt() != null && !schedule.nextFireAt().isAfter(horizon)) {
                due.add(schedule);
            }
        }
        return due;
    }

    private List<Map<String, AttributeValue>> getAll(List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT))).consistentRead(true).build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(ask));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return items;
    }

    private static Map<String, AttributeValue> key(String tenantId, String name) {
        return Map.of(TENANT, s(tenantId), NAME, s(name));
    }

    Map<String, AttributeValue> toItem(Schedule schedule) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TENANT, s(schedule.tenantId()));
        item.put(NAME, s(schedule.name()));
        item.put("scheduleId", s(schedule.scheduleId()));
        putIfSet(item, "cron", schedule.cron());
        putIfSet(item, "timeZone", schedule.timeZone());
        putIfSet(item, "rate", schedule.rate());
        if (schedule.anchor() != null) {
            item.put("anchor", time(schedule.anchor()));
        }
        item.put("template", s(schedule.template()));
        item.put("overlap", s(schedule.overlap().label()));
        if (schedule.startAt() != null) {
            item.put("startAt", time(schedule.startAt()));
        }
        if (schedule.endAt() != null) {
            item.put("endAt", time(schedule.endAt()));
        }
        item.put("paused", AttributeValue.fromBool(schedule.paused()));
        if (schedule.nextFireAt() != null) {
            item.put(NEXT_FIRE_AT, time(schedule.nextFireAt()));
            if (!schedule.paused()) {
                item.put(DUE_SHARD, s(Integer.toString(shardOf(schedule))));
            }
        }
        item.put("createdAt", time(schedule.createdAt()));
        item.put("updatedAt", time(schedule.updatedAt()));
        item.put(VERSION, JobItem.n(schedule.version()));
        List<Map<String, Object>> runs = new ArrayList<>();
        for (ScheduleRun run : schedule.runs()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("fireAt", run.fireAt().toEpochMilli());
            fields.put("jobId", run.jobId());
            fields.put("outcome", run.outcome());
            fields.put("detail", run.detail());
            fields.put("missedSince", run.missedSince() == null ? null : run.missedSince().toEpochMilli());
            runs.add(fields);
        }
        item.put("runs", s(Json.write(runs)));
        return item;
    }

    /** A schedule from its item as a Scan of the table returns it (the local runner's view). */
    public static Schedule fromStoredItem(Map<String, AttributeValue> item) {
        return fromItem(item);
    }

    static Schedule fromItem(Map<String, AttributeValue> item) {
        List<ScheduleRun> runs = new ArrayList<>();
        Object stored = item.containsKey("runs") ? Json.parseStored(item.get("runs").s()) : null;
        if (stored instanceof List<?> list) {
            for (Object entry : list) {
                Map<?, ?> run = (Map<?, ?>) entry;
                runs.add(new ScheduleRun(Instant.ofEpochMilli(((Number) run.get("fireAt")).longValue()), (String) run.get("jobId"),
                        (String) run.get("outcome"), (String) run.get("detail"),
                        run.get("missedSince") == null ? null : Instant.ofEpochMilli(((Number) run.get("missedSince")).longValue())));
            }
        }
        return new Schedule(str(item, TENANT), str(item, NAME), str(item, "scheduleId"), str(item, "cron"),
                str(item, "timeZone"), str(item, "rate"), instant(item, "anchor"), str(item, "template"),
                Overlap.fromLabel(str(item, "overlap")).orElse(Overlap.ALLOW), instant(item, "startAt"), instant(item, "endAt"),
                item.containsKey("paused") && Boolean.TRUE.equals(item.get("paused").bool()), instant(item, NEXT_FIRE_AT),
                instant(item, "createdAt"), instant(item, "updatedAt"), Long.parseLong(item.get(VERSION).n()), runs);
    }

    private static void putIfSet(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }
}
