package dev.jobline.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Per-tenant limits, kept in one item per tenant ({@code tenant#<id>}) and enforced by conditional
 * writes: at most {@code maxInFlight} jobs QUEUED or RUNNING, at most {@code submitsPerMinute}
 * submissions in a fixed one-minute window. A submission takes both in one write.
 */
public final class TenantQuotas {
    private static final String IN_FLIGHT = "inFlight";
    private static final String WINDOW_START = "windowStart";
    private static final String WINDOW_COUNT = "windowCount";
    /** How often a submission tries again after losing the race to open a new window to a concurrent one. */
    private static final int WINDOW_RACES = 5;

    private final DynamoDbClient dynamo;
    private final String table;
    private final int maxInFlight;
    private final int submitsPerMinute;

    public TenantQuotas(DynamoDbClient dynamo, String table, int maxInFlight, int submitsPerMinute) {
        this.dynamo = dynamo;
        this.table = table;
        this.maxInFlight = maxInFlight;
        this.submitsPerMinute = submitsPerMinute;
    }

    /** Granted, or refused with the limit that was hit and when trying again can succeed. */
    public record Decision(boolean granted, String limit, Duration retryAfter) {
        static final Decision GRANTED = new Decision(true, null, Duration.ZERO);
    }

    public static String key(String tenantId) {
        return "tenant#" + tenantId;
    }

    /** Takes room for {@code jobs} new in-flight jobs and as many submissions in this minute. */
    public Decision acquire(String tenantId, int jobs, Instant now) {
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
        Map<String, AttributeValue> sameWindowValues = new java.util.HashMap<>(newWindowValues);
        sameWindowValues.put(":rateRoom", JobItem.n(submitsPerMinute - jobs));
        String inFlightFits = "(attribute_not_exists(inFlight) OR inFlight <= :flightRoom)";
        for (int tries = 0; tries < WINDOW_RACES; tries++) {
            // the common case, one write: the same window, with room in both limits
            if (update("SET windowCount = windowCount + :n, inFlight = if_not_exists(inFlight, :zero) + :n",
                    "windowStart = :window AND windowCount <= :rateRoom AND " + inFlightFits, tenantId, sameWindowValues)) {
                return Decision.GRANTED;
            }
            // a new window starts with this submission
            if (update("SET windowStart = :window, windowCount = :n, inFlight = if_not_exists(inFlight, :zero) + :n",
                    "(attribute_not_exists(windowStart) OR windowStart < :window) AND " + inFlightFits, tenantId, newWindowValues)) {
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
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(key(tenantId)))).consistentRead(true)).item();
        long inFlight = item.containsKey(IN_FLIGHT) ? Long.parseLong(item.get(IN_FLIGHT).n()) : 0;
        if (inFlight + jobs > maxInFlight) {
            return new Decision(false, "maxInFlight", Duration.ofSeconds(30));
        }
        long windowStart = item.containsKey(WINDOW_START) ? Long.parseLong(item.get(WINDOW_START).n()) : -1;
        long windowCount = item.containsKey(WINDOW_COUNT) ? Long.parseLong(item.get(WINDOW_COUNT).n()) : 0;
        if (windowStart == window && windowCount + jobs > submitsPerMinute) {
            return new Decision(false, "submitsPerMinute", untilNextWindow);
        }
        return null;
    }

    /** Gives back room for jobs that ended (or were never stored). Never goes below zero. */
    public void release(String tenantId, int jobs) {
        if (jobs <= 0) {
            return;
        }
        Map<String, AttributeValue> values = Map.of(":n", JobItem.n(jobs), ":minus", JobItem.n(-jobs));
        if (!update("ADD inFlight :minus", "inFlight >= :n", tenantId, values)) {
            update("SET inFlight = :zero", "attribute_exists(inFlight)", tenantId, Map.of(":zero", JobItem.n(0)));
        }
    }

    /** The tenant's current counts, for tests and the stats view. */
    public Map<String, Long> usage(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(key(tenantId)))).consistentRead(true)).item();
        long inFlight = item != null && item.containsKey(IN_FLIGHT) ? Long.parseLong(item.get(IN_FLIGHT).n()) : 0;
        long windowCount = item != null && item.containsKey(WINDOW_COUNT) ? Long.parseLong(item.get(WINDOW_COUNT).n()) : 0;
        return Map.of(IN_FLIGHT, inFlight, WINDOW_COUNT, windowCount);
    }

    private boolean update(String expression, String condition, String tenantId, Map<String, AttributeValue> values) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(JobItem.JOB_ID, JobItem.s(key(tenantId))))
                    .updateExpression(expression)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
