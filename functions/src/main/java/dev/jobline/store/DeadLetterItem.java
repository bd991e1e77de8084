package dev.jobline.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Maps a {@link DeadLetter} to and from its item in the jobs table (no tenant, so in no index). */
final class DeadLetterItem {
    private DeadLetterItem() {
    }

    static Map<String, AttributeValue> toItem(DeadLetter letter, Instant expiresAt) {
        Map<String, AttributeValue> attributes = new HashMap<>();
        letter.attributes().forEach((name, value) -> attributes.put(name, AttributeValue.fromS(value)));
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JobItem.JOB_ID, JobItem.s(letter.key()));
        item.put("recordType", JobItem.s("DEAD_LETTER"));
        item.put("messageId", JobItem.s(letter.messageId()));
        item.put("body", JobItem.s(letter.body() == null ? "" : letter.body()));
        item.put("attributes", AttributeValue.fromM(attributes));
        item.put("receiveCount", JobItem.n(letter.receiveCount()));
        item.put("reason", JobItem.s(letter.reason()));
        item.put("receivedAt", JobItem.time(letter.receivedAt()));
        item.put(JobItem.EXPIRES_AT, JobItem.n(expiresAt.getEpochSecond()));
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
