package dev.jobline.store;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The sweeper's place in a shard of the in-flight index, as an opaque string. */
final class DueCursor {
    private DueCursor() {
    }

    static String encode(Map<String, AttributeValue> lastKey) {
        return lastKey.get(JobItem.SWEEP_AT).n() + ":" + lastKey.get(JobItem.JOB_ID).s();
    }

    static Map<String, AttributeValue> decode(String cursor, int shard) {
        int colon = cursor.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("not a sweep cursor: " + cursor);
        }
        return Map.of(
                JobItem.INFLIGHT_SHARD, JobItem.s(Integer.toString(shard)),
                JobItem.SWEEP_AT, AttributeValue.fromN(cursor.substring(0, colon)),
                JobItem.JOB_ID, JobItem.s(cursor.substring(colon + 1)));
    }
}
