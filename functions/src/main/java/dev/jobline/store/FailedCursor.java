package dev.jobline.store;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Admin redrive's place in a shard of the failed index. */
final class FailedCursor {
    private FailedCursor() {
    }

    static String encode(Map<String, AttributeValue> lastKey) {
        return lastKey.get(JobItem.FAILED_AT).n() + ":" + lastKey.get(JobItem.JOB_ID).s();
    }

    static Map<String, AttributeValue> decode(String cursor, int shard) {
        return decode(cursor, Integer.toString(shard));
    }

    static Map<String, AttributeValue> decode(String cursor, String shard) {
        int colon = cursor.indexOf(':');
        if (colon < 1) {
            throw new JobStore.InvalidCursor("not a redrive cursor");
        }
        return Map.of(
                JobItem.FAILED_SHARD, JobItem.s(shard),
                JobItem.FAILED_AT, AttributeValue.fromN(cursor.substring(0, colon)),
                JobItem.JOB_ID, JobItem.s(cursor.substring(colon + 1)));
    }
}
