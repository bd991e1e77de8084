package dev.jobline.store;

import dev.jobline.job.BoundedText;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Maps a {@link DeadLetter} to and from its item in the jobs table (no tenant, so in no index). An SQS message can be
 * larger than a DynamoDB item: the body is kept up to {@link #MAX_BODY_BYTES} and each attribute up to
 * {@link #MAX_ATTRIBUTE_BYTES}, and the item says when something was cut.
 */
final class DeadLetterItem {
    static final int MAX_BODY_BYTES = 256 * 1024;
    static final int MAX_ATTRIBUTE_BYTES = 1024;
    /** The kept letters' partition of the failed index. */
    static final String INDEX_SHARD = "dlq";

    private DeadLetterItem() {
    }

    static Map<String, AttributeValue> toItem(DeadLetter letter, Instant expiresAt) {
        Map<String, AttributeValue> attributes = new HashMap<>();
        letter.attributes().forEach((name, value) -> attributes.put(BoundedText.of(name, MAX_ATTRIBUTE_BYTES),
                AttributeValue.fromS(value == null ? "" : BoundedText.of(value, MAX_ATTRIBUTE_BYTES))));
        String body = letter.body() == null ? "" : letter.body();
        String kept = BoundedText.of(body, MAX_BODY_BYTES);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobItem.JOB_ID, JobItem.s(letter.key()));
        item.put("recordType", JobItem.s("DEAD_LETTER"));
        item.put("messageId", JobItem.s(letter.messageId()));
        item.put("body", JobItem.s(kept));
        if (!kept.equals(body)) {
            item.put("bodyBytes", JobItem.n(BoundedText.utf8Bytes(body)));
        }
        item.put("attributes", AttributeValue.fromM(attributes));
        item.put("receiveCount", JobItem.n(letter.receiveCount()));
        item.put("reason", JobItem.s(letter.reason()));
        item.put("receivedAt", JobItem.time(letter.receivedAt()));
        item.put(JobItem.EXPIRES_AT, JobItem.n(expiresAt.getEpochSecond()));
        // a partition of the sparse failed index of its own, which redrive (shards 0..N-1) never reads: the kept
        // letters can be listed newest first without a scan, for one index write per letter
        item.put(JobItem.FAILED_SHARD, JobItem.s(INDEX_SHARD));
        item.put(JobItem.FAILED_AT, JobItem.time(letter.receivedAt()));
        return item;
    }

    static DeadLetter fromItem(Map<String, AttributeValue> item) {
        Map<String, String> attributes = new HashMap<>();
        if (item.containsKey("attributes") && item.get("attributes").hasM()) {
            item.get("attributes").m().forEach((name, value) -> attributes.put(name, value.s()));
        }
        return new DeadLetter(
                item.get("messageId").s(),
                item.get("body").s(),
                attributes,
                Integer.parseInt(item.get("receiveCount").n()),
                item.get("reason").s(),
                Instant.ofEpochMilli(Long.parseLong(item.get("receivedAt").n())));
    }
}
