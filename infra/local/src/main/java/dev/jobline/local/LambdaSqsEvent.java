package dev.jobline.local;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Received SQS messages as Lambda's SQS event source hands them to a function: the event's JSON (the
 * shape of events/sqs-one-job.json), or the event object read from that JSON the way the Lambda
 * runtime reads it. One mapping for the local runner, the benchmarks and the tests.
 */
public final class LambdaSqsEvent {
    private LambdaSqsEvent() {
    }

    public static Map<String, Object> json(List<Message> messages, String queueArn) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Message message : messages) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            Map<String, String> attributes = new LinkedHashMap<>();
            message.attributesAsStrings().forEach(attributes::put);
            record.put("attributes", attributes);
            Map<String, Object> messageAttributes = new LinkedHashMap<>();
            message.messageAttributes().forEach((name, value) -> messageAttributes.put(name, attribute(value)));
            record.put("messageAttributes", messageAttributes);
            record.put("md5OfBody", message.md5OfBody());
            if (message.md5OfMessageAttributes() != null) {
                record.put("md5OfMessageAttributes", message.md5OfMessageAttributes());
            }
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", LocalAws.REGION);
            records.add(record);
        }
        return Map.of("Records", records);
    }

    public static String jsonText(List<Message> messages, String queueArn) {
        try {
            return JSON.std.asString(json(messages, queueArn));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SQSEvent event(List<Message> messages, String queueArn) {
        byte[] json = jsonText(messages, queueArn).getBytes(StandardCharsets.UTF_8);
        return LambdaEventSerializers.serializerFor(SQSEvent.class, LambdaSqsEvent.class.getClassLoader())
                .fromJson(new ByteArrayInputStream(json));
    }

    private static Map<String, Object> attribute(MessageAttributeValue value) {
        Map<String, Object> attribute = new LinkedHashMap<>();
        if (value.stringValue() != null) {
            attribute.put("stringValue", value.stringValue());
        }
        if (value.binaryValue() != null) {
            attribute.put("binaryValue", base64(value.binaryValue()));
        }
        attribute.put("stringListValues", value.stringListValues());
        attribute.put("binaryListValues", value.binaryListValues().stream().map(LambdaSqsEvent::base64).toList());
        attribute.put("dataType", value.dataType());
        return attribute;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }
}
