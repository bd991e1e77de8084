package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(LocalAwsExtension.class)
class TemplateQueueTest {

    private static Map<QueueAttributeName, String> attributes(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.ALL)).attributes();
    }

    @Test
    void queuesHaveTheTemplatesAttributesAndTheRedrivePointsAtTheDeadLetterQueue(LocalAws aws,
            LocalResources resources) {
        SqsClient sqs = aws.sqsClient();
        String dlqArn = resources.queueArn("JobsDeadLetterQueue");
        assertEquals("arn:aws:sqs:us-east-1:000000000000:" + resources.prefix() + "-JobsDeadLetterQueue", dlqArn);
        assertTrue(resources.queueUrl("JobsQueue").startsWith(aws.sqsEndpoint().toString()),
                resources.queueUrl("JobsQueue") + " vs " + aws.sqsEndpoint());

        Map<QueueAttributeName, String> main = attributes(sqs, resources.queueUrl("JobsQueue"));
        assertEquals("360", main.get(QueueAttributeName.VISIBILITY_TIMEOUT));
        // MessageRetentionPeriod is sent, but ElasticMQ 1.7.1 ignores it (messages are kept until deleted)
        String redrive = main.get(QueueAttributeName.REDRIVE_POLICY);
        assertTrue(redrive.contains("\"deadLetterTargetArn\":\"" + dlqArn + "\""), redrive);
        assertTrue(redrive.replace(" ", "").matches(".*\"maxReceiveCount\":\"?25\"?.*"), redrive);

        Map<QueueAttributeName, String> dlq = attributes(sqs, resources.queueUrl("JobsDeadLetterQueue"));
        assertEquals(null, dlq.get(QueueAttributeName.REDRIVE_POLICY));
    }

    @Test
    void aMessageReceivedMoreThanMaxReceiveCountTimesMovesToTheDeadLetterQueue(LocalAws aws,
            LocalResources resources) {
        SqsClient sqs = aws.sqsClient();
        String queue = resources.queueUrl("JobsQueue");
        String dlq = resources.queueUrl("JobsDeadLetterQueue");
        sqs.sendMessage(r -> r.queueUrl(queue).messageBody("poison"));

        int receives = 0;
        for (int i = 0; i < 40; i++) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)
                    .visibilityTimeout(0)).messages();
            if (messages.isEmpty()) {
                break;
            }
            receives += messages.size();
        }
        assertEquals(25, receives, "received maxReceiveCount times, then redriven");
        List<Message> dead = sqs.receiveMessage(r -> r.queueUrl(dlq).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        assertEquals(1, dead.size());
        assertEquals("poison", dead.get(0).body());
    }

    @Test
    void changeMessageVisibilityAndMessageAttributesWork(LocalAws aws, LocalResources resources) {
        SqsClient sqs = aws.sqsClient();
        String queue = resources.queueUrl("JobsQueue");
        sqs.sendMessage(r -> r.queueUrl(queue).messageBody("{\"jobId\":\"j1\"}")
                .messageAttributes(Map.of(
                        "jobType", MessageAttributeValue.builder().dataType("String").stringValue("email").build(),
                        "attempt", MessageAttributeValue.builder().dataType("Number").stringValue("2").build())));

        Message first = sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(1)
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages().get(0);
        assertEquals("{\"jobId\":\"j1\"}", first.body());
        assertEquals("email", first.messageAttributes().get("jobType").stringValue());
        assertEquals("Number", first.messageAttributes().get("attempt").dataType());
        assertEquals("2", first.messageAttributes().get("attempt").stringValue());
        assertEquals("1", first.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));

        // invisible for the template's 360 s ...
        assertTrue(sqs.receiveMessage(r -> r.queueUrl(queue)).messages().isEmpty());
        // ... until the worker gives it back early
        sqs.changeMessageVisibility(r -> r.queueUrl(queue).receiptHandle(first.receiptHandle()).visibilityTimeout(0));
        Message second = sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages().get(0);
        assertEquals(first.messageId(), second.messageId());
        assertEquals("2", second.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));

        // extending the visibility keeps it hidden; deleting removes it
        sqs.changeMessageVisibility(r -> r.queueUrl(queue).receiptHandle(second.receiptHandle())
                .visibilityTimeout(120));
        assertTrue(sqs.receiveMessage(r -> r.queueUrl(queue)).messages().isEmpty());
        sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(second.receiptHandle()));
        assertEquals("0", attributes(sqs, queue).get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void batchSendAndDelayedDelivery(LocalAws aws, LocalResources resources) {
        SqsClient sqs = aws.sqsClient();
        String queue = resources.queueUrl("JobsQueue");
        var sent = sqs.sendMessageBatch(r -> r.queueUrl(queue).entries(
                e -> e.id("a").messageBody("now"),
                e -> e.id("b").messageBody("later").delaySeconds(30)));
        assertEquals(2, sent.successful().size());
        List<Message> visible = sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)).messages();
        assertEquals(List.of("now"), visible.stream().map(Message::body).toList());
        assertEquals("1", attributes(sqs, queue).get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }
}
