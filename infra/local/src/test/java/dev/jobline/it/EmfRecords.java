package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EMF records checked against the embedded metric format specification: an {@code _aws} object with a
 * millisecond {@code Timestamp} and a {@code CloudWatchMetrics} list of directives (Namespace, Dimensions as lists of
 * top-level string members, Metrics as Name and Unit), and every metric's value (a number or a list of numbers) and
 * every dimension's value at the top level.
 */
final class EmfRecords {
    private static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None");

    private final List<Map<String, Object>> records;

    EmfRecords(List<Map<String, Object>> lines) {
        this.records = lines;
        lines.forEach(EmfRecords::assertValid);
    }

    @SuppressWarnings("unchecked")
    static void assertValid(Map<String, Object> record) {
        Map<String, Object> aws = (Map<String, Object>) record.get("_aws");
        assertInstanceOf(Map.class, aws, "no _aws object: " + record);
        long timestamp = assertInstanceOf(Number.class, aws.get("Timestamp"), "_aws.Timestamp: " + record).longValue();
        assertTrue(Math.abs(System.currentTimeMillis() - timestamp) < 3_600_000, "Timestamp is epoch milliseconds, now: " + record);
        List<Object> directives = assertInstanceOf(List.class, aws.get("CloudWatchMetrics"), "_aws.CloudWatchMetrics: " + record);
        assertFalse(directives.isEmpty(), record.toString());
        for (Object item : directives) {
            Map<String, Object> directive = assertInstanceOf(Map.class, item);
            assertEquals("Jobline", directive.get("Namespace"), record.toString());
            List<Object> dimensionSets = assertInstanceOf(List.class, directive.get("Dimensions"), record.toString());
            for (Object set : dimensionSets) {
                List<Object> keys = assertInstanceOf(List.class, set, record.toString());
                assertTrue(keys.size() <= 30, record.toString());
                for (Object key : keys) {
                    assertInstanceOf(String.class, record.get((String) key), "dimension " + key + " at the top level: " + record);
                }
            }
            List<Object> metrics = assertInstanceOf(List.class, directive.get("Metrics"), record.toString());
            assertFalse(metrics.isEmpty(), record.toString());
            for (Object metric : metrics) {
                Map<String, Object> definition = assertInstanceOf(Map.class, metric);
                String name = assertInstanceOf(String.class, definition.get("Name"), record.toString());
                assertTrue(UNITS.contains(definition.get("Unit")), "unit of " + name + ": " + record);
                Object value = record.get(name);
                if (value instanceof List<?> values) {
                    assertFalse(values.isEmpty(), record.toString());
                    values.forEach(v -> assertInstanceOf(Number.class, v, name + ": " + record));
                } else {
                    assertInstanceOf(Number.class, value, "value of " + name + " at the top level: " + record);
                }
            }
        }
    }

    /** The records of one job type, at the {Service, JobType} dimension set. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ofType(String type) {
        List<Map<String, Object>> matching = new ArrayList<>();
        for (Map<String, Object> record : records) {
            if (!type.equals(record.get("JobType"))) {
                continue;
            }
            Map<String, Object> aws = (Map<String, Object>) record.get("_aws");
            Map<String, Object> directive = (Map<String, Object>) ((List<Object>) aws.get("CloudWatchMetrics")).get(0);
            assertEquals(List.of(List.of("Service", "JobType"), List.of("Service")), directive.get("Dimensions"), record.toString());
            matching.add(record);
        }
        return matching;
    }

    /** A metric's values over the type's records (one per value of a list), with the unit each record declared. */
    @SuppressWarnings("unchecked")
    List<Double> values(String type, String metric, String unit) {
        List<Double> values = new ArrayList<>();
        for (Map<String, Object> record : ofType(type)) {
            Object value = record.get(metric);
            if (value == null) {
                continue;
            }
            Map<String, Object> aws = (Map<String, Object>) record.get("_aws");
            Map<String, Object> directive = (Map<String, Object>) ((List<Object>) aws.get("CloudWatchMetrics")).get(0);
            assertTrue(((List<Map<String, Object>>) directive.get("Metrics")).contains(Map.of("Name", metric, "Unit", unit)),
                    metric + " declared with unit " + unit + ": " + record);
            if (value instanceof List<?> list) {
                list.forEach(v -> values.add(((Number) v).doubleValue()));
            } else {
                values.add(((Number) value).doubleValue());
            }
        }
        return values;
    }

    double sum(String type, String metric) {
        return values(type, metric, "Count").stream().mapToDouble(Double::doubleValue).sum();
    }
}
