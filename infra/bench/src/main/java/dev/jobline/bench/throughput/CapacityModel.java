package dev.jobline.bench.throughput;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What DynamoDB on-demand would bill for the writes and reads of one table: write request units for the table and
 * for every global secondary index the write touches, read request units for reads. dynalite reports no index
 * capacity, so the units are computed here from item sizes, following the DynamoDB Developer Guide:
 * <ul>
 *   <li>item size: attribute names plus values (strings in UTF-8 bytes, numbers about one byte per two digits plus
 *       one, maps and lists 3 bytes plus one per element); a write costs one WRU per started KB of the larger of the
 *       item before and after; a strongly consistent read one RRU per started 4 KB, eventually consistent half;</li>
 *   <li>a GSI ("Provisioned throughput considerations for GSIs", GSI.html#GSI.Writes): an item entering the index
 *       is one write, leaving it one write, a change of an index key attribute two (delete and put), a change of a
 *       projected attribute only one; an index entry's size is the table key, the index key and the projected
 *       attributes plus 100 bytes;</li>
 *   <li>a conditional write whose condition fails still costs the write of the item's size.</li>
 * </ul>
 * Item images come from the requests (PutItem) and the responses ({@code ReturnValues=ALL_NEW} UpdateItem, which is
 * what Jobline asks for on job items). Writes that return no image (counters, quotas) and failed conditions on items
 * not seen yet are priced after the run by {@link #settle}, from the item as it then is.
 */
public final class CapacityModel {
    private static final int INDEX_ENTRY_OVERHEAD = 100;

    record Index(String name, List<String> keys, Set<String> projected, boolean all) {
    }

    private final List<String> tableKeys;
    private final List<Index> indexes;
    private final Map<String, Map<String, AttributeValue>> items = new ConcurrentHashMap<>();
    private final LongAdder tableWrites = new LongAdder();
    private final LongAdder indexWrites = new LongAdder();
    private final Map<String, LongAdder> byIndex = new ConcurrentHashMap<>();
    private final LongAdder readHalves = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final Map<String, Map<String, AttributeValue>> blindKeys = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> blindWrites = new ConcurrentHashMap<>();
    private final LongAdder approximated = new LongAdder();

    CapacityModel(List<String> tableKeys, List<Index> indexes) {
        this.tableKeys = List.copyOf(tableKeys);
        this.indexes = List.copyOf(indexes);
    }

    /** The model of a table as DescribeTable reports it. */
    public static CapacityModel of(DynamoDbClient dynamo, String table) {
        TableDescription description = dynamo.describeTable(b -> b.tableName(table)).table();
        List<String> keys = description.keySchema().stream().map(KeySchemaElement::attributeName).toList();
        List<Index> indexes = new ArrayList<>();
        for (GlobalSecondaryIndexDescription gsi : description.globalSecondaryIndexes()) {
            List<String> indexKeys = gsi.keySchema().stream().map(KeySchemaElement::attributeName).toList();
            ProjectionType type = gsi.projection().projectionType();
            Set<String> projected = new HashSet<>(keys);
            projected.addAll(indexKeys);
            if (type == ProjectionType.INCLUDE) {
                projected.addAll(gsi.projection().nonKeyAttributes());
            }
            indexes.add(new Index(gsi.indexName(), indexKeys, projected, type == ProjectionType.ALL));
        }
        return new CapacityModel(keys, indexes);
    }

    String primaryKeyName() {
        return tableKeys.get(0);
    }

    List<Index> indexes() {
        return indexes;
    }

    void put(PutItemRequest request) {
        Map<String, AttributeValue> next = request.item();
        write(keyOf(next), next);
    }

    void update(UpdateItemRequest request, UpdateItemResponse response) {
        if (response.hasAttributes() && !response.attributes().isEmpty()) {
            write(keyOf(request.key()), response.attributes());
        } else {
            blind(request.key());
        }
    }

    private void blind(Map<String, AttributeValue> keyOrItem) {
        Map<String, AttributeValue> key = new java.util.HashMap<>();
        for (String name : tableKeys) {
            key.put(name, keyOrItem.get(name));
        }
        String id = keyOf(key);
        blindKeys.putIfAbsent(id, key);
        blindWrites.computeIfAbsent(id, k -> new LongAdder()).increment();
    }

    /**
     * Prices the writes that returned no item image, from each item as it is after the run (read with a client that
     * is not counted): its size for the table, and one write per index it belongs to (an approximation, flagged).
     */
    public void settle(DynamoDbClient uncounted, String table) {
        blindWrites.forEach((id, count) -> {
            Map<String, AttributeValue> item = uncounted.getItem(b -> b.tableName(table).key(blindKeys.get(id))
                    .consistentRead(true)).item();
            Map<String, AttributeValue> current = item == null ? Map.of() : item;
            long writes = count.sumThenReset();
            tableWrites.add(writes * writeUnits(size(current)));
            for (Index index : indexes) {
                if (!current.isEmpty() && current.keySet().containsAll(index.keys())) {
                    long units = writes * writeUnits(entrySize(index, current));
                    indexWrites.add(units);
                    byIndex.computeIfAbsent(index.name(), name -> new LongAdder()).add(units);
                    approximated.add(writes);
                }
            }
        });
    }

    /** A conditional write that found its condition false: the item's size in WRU, nothing changes. */
    void conditionFailed(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> current = items.get(keyOf(key));
        if (current == null) {
            blind(key);
        } else {
            tableWrites.add(writeUnits(size(current)));
        }
    }

    void get(GetItemRequest request, GetItemResponse response) {
        int size = response.hasItem() ? size(response.item()) : 0;
        long units = Math.max(1, (size + 4095) / 4096);
        readHalves.add(Boolean.TRUE.equals(request.consistentRead()) ? 2 * units : units);
    }

    /** A BatchGetItem reads each item on its own: one GetItem's units per item returned (consistent or not, per table). */
    void batchGet(BatchGetItemRequest request, BatchGetItemResponse response) {
        response.responses().forEach((table, items) -> {
            boolean consistent = Boolean.TRUE.equals(request.requestItems().get(table).consistentRead());
            for (Map<String, AttributeValue> item : items) {
                long units = Math.max(1, (size(item) + 4095) / 4096);
                readHalves.add(consistent ? 2 * units : units);
            }
        });
    }

    /**
     * A Query is one read of all the items it returns together: one RRU per started 4 KB of their total size (an
     * index's entries: the attributes it projects), half when eventually consistent, as every GSI query is.
     */
    void query(QueryRequest request, QueryResponse response) {
        int size = 0;
        for (Map<String, AttributeValue> item : response.items()) {
            size += size(item);
        }
        long units = Math.max(1, (size + 4095) / 4096);
        readHalves.add(Boolean.TRUE.equals(request.consistentRead()) ? 2 * units : units);
    }

    /** An item as it is before the counted calls start: their writes to it are priced against this image. */
    public void known(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new java.util.HashMap<>();
        for (String name : tableKeys) {
            key.put(name, item.get(name));
        }
        items.put(keyOf(key), Map.copyOf(item));
    }

    /** Any other operation the model cannot price (Scan, BatchWriteItem, ...). */
    void other() {
        unpriced.increment();
    }

    private void write(String key, Map<String, AttributeValue> next) {
        items.compute(key, (k, previous) -> {
            tableWrites.add(writeUnits(Math.max(previous == null ? 0 : size(previous), size(next))));
            for (Index index : indexes) {
                long units = indexWriteUnits(index, previous, next);
                indexWrites.add(units);
                byIndex.computeIfAbsent(index.name(), name -> new LongAdder()).add(units);
            }
            return Map.copyOf(next);
        });
    }

    private long indexWriteUnits(Index index, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        boolean wasIn = before != null && before.keySet().containsAll(index.keys());
        boolean isIn = after.keySet().containsAll(index.keys());
        if (!wasIn && !isIn) {
            return 0;
        }
        if (!wasIn) {
            return writeUnits(entrySize(index, after));
        }
        if (!isIn) {
            return writeUnits(entrySize(index, before));
        }
        for (String key : index.keys()) {
            if (!before.get(key).equals(after.get(key))) {
                return writeUnits(entrySize(index, before)) + writeUnits(entrySize(index, after));
            }
        }
        return projection(index, before).equals(projection(index, after))
                ? 0 : writeUnits(Math.max(entrySize(index, before), entrySize(index, after)));
    }

    private static Map<String, AttributeValue> projection(Index index, Map<String, AttributeValue> item) {
        if (index.all()) {
            return item;
        }
        Map<String, AttributeValue> projected = new java.util.HashMap<>();
        item.forEach((name, value) -> {
            if (index.projected().contains(name)) {
                projected.put(name, value);
            }
        });
        return projected;
    }

    private static int entrySize(Index index, Map<String, AttributeValue> item) {
        return size(projection(index, item)) + INDEX_ENTRY_OVERHEAD;
    }

    private String keyOf(Map<String, AttributeValue> item) {
        StringBuilder key = new StringBuilder();
        for (String name : tableKeys) {
            key.append(item.get(name)).append('|');
        }
        return key.toString();
    }

    private static long writeUnits(int bytes) {
        return Math.max(1, (bytes + 1023) / 1024);
    }

    static int size(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + size(attribute.getValue());
        }
        return size;
    }

    private static int size(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        }
        if (value.n() != null) {
            return numberSize(value.n());
        }
        if (value.b() != null) {
            return value.b().asByteArray().length;
        }
        if (value.bool() != null || value.nul() != null) {
            return 1;
        }
        if (value.hasM()) {
            int size = 3;
            for (Map.Entry<String, AttributeValue> entry : value.m().entrySet()) {
                size += 1 + utf8(entry.getKey()) + size(entry.getValue());
            }
            return size;
        }
        if (value.hasL()) {
            int size = 3;
            for (AttributeValue element : value.l()) {
                size += 1 + size(element);
            }
            return size;
        }
        if (value.hasSs()) {
            return value.ss().stream().mapToInt(CapacityModel::utf8).sum();
        }
        if (value.hasNs()) {
            return value.ns().stream().mapToInt(CapacityModel::numberSize).sum();
        }
        if (value.hasBs()) {
            return value.bs().stream().mapToInt(b -> b.asByteArray().length).sum();
        }
        return 0;
    }

    private static int numberSize(String number) {
        String digits = number.replaceAll("[^0-9]", "").replaceAll("^0+", "").replaceAll("0+$", "");
        return (digits.length() + 1) / 2 + 1;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    public long tableWriteUnits() {
        return tableWrites.sum();
    }

    public long indexWriteUnits() {
        return indexWrites.sum();
    }

    public Map<String, Long> indexWriteUnitsByIndex() {
        Map<String, Long> units = new java.util.TreeMap<>();
        byIndex.forEach((index, count) -> units.put(index, count.sum()));
        return units;
    }

    public double readUnits() {
        return readHalves.sum() / 2.0;
    }

    /** Calls of operations the model does not price (Scan, batch calls). */
    public long unpriced() {
        return unpriced.sum();
    }

    /** Writes whose index units were estimated by {@link #settle} rather than computed from before and after. */
    public long approximated() {
        return approximated.sum();
    }
}
