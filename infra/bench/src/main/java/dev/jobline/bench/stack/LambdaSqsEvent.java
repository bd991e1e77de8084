package dev.jobline.bench.stack;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.Message;

/** Received SQS messages as Lambda's SQS event source hands them to a function: as JSON, or as the event object. */
public final class LambdaSqsEvent {
    private LambdaSqsEvent() {
    }

    /** The event's JSON, in the shape Lambda sends (events/sqs-one-job.json). */
    public static Map<String, Object> json(List<Message> messages, String queueArn) {
        List<Object> records = new ArrayList<>();
        for (Message message : messages) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            Map<String, Object> attributes = new LinkedHashMap<>();
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.put("attributes", attributes);
            Map<String, Object> messageAttributes = new LinkedHashMap<>();
            message.messageAttributes().forEach((name, value) -> {
                Map<String, Object> attribute = new LinkedHashMap<>();
                attribute.put("stringValue", value.stringValue());
                attribute.put("stringListValues", List.of());
                attribute.put("binaryListValues", List.of());
                attribute.put("dataType", value.dataType());
                messageAttributes.put(name, attribute);
            });
            record.put("messageAttributes", messageAttributes);
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", "us-east-1");
            records.add(record);
        }
        return Map.of("Records", records);
    }

    /** The event object, as the Lambda runtime would have read it from that JSON. */
    public static SQSEvent event(List<Message> messages, String queueArn) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>(messages.size());
        for (Message message : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            Map<String, String> attributes = new HashMap<>();
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.setAttributes(attributes);
            Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
            message.messageAttributes().forEach((name, value) -> {
                SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
                attribute.setDataType(value.dataType());
                attribute.setStringValue(value.stringValue());
                messageAttributes.put(name, attribute);
            });
            record.setMessageAttributes(messageAttributes);
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queueArn);
            record.setAwsRegion("us-east-1");
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }
}
