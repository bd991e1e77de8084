package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** With a data directory, ElasticMQ's queues and messages outlive the process that held them. */
class ElasticMqPersistenceTest {

    @TempDir
    Path dir;

    private static List<Message> receive(LocalAws aws, String url) {
        return aws.sqsClient().receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
    }

    @Test
    void queuesMessagesAndReceiveCountsSurviveARestart() {
        Path data = dir.resolve("data");
        String url;
        try (LocalAws aws = LocalAws.start(LocalAws.Options.defaults().withSqsDataDir(data))) {
            url = aws.sqsClient().createQueue(r -> r.queueName("orders")
                    .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1"))).queueUrl();
            aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("first")
                    .messageAttributes(Map.of("tenantId",
                            MessageAttributeValue.builder().dataType("String").stringValue("t1").build())));
            aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("second"));
            Message received = receive(aws, url).get(0);
            aws.sqsClient().deleteMessage(r -> r.queueUrl(url).receiptHandle(received.receiptHandle()));
        }
        assertTrue(Files.exists(data.resolve("elasticmq.mv.db")), "the H2 database is in the data directory");

        try (LocalAws aws = LocalAws.start(LocalAws.Options.defaults().withSqsDataDir(data))) {
            String restored = aws.sqsClient().getQueueUrl(r -> r.queueName("orders")).queueUrl();
            assertEquals("1", aws.sqsClient().getQueueAttributes(r -> r.queueUrl(restored)
                    .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT)).attributes()
                    .get(QueueAttributeName.VISIBILITY_TIMEOUT));
            List<Message> left = receive(aws, restored);
            if (left.isEmpty()) {
                // the received one was hidden for 1 s when the first process stopped
                left = receive(aws, restored);
            }
            assertEquals(1, left.size(), "the deleted message stays deleted, the other is still there");
            Message message = left.get(0);
            assertTrue(message.body().equals("first") || message.body().equals("second"), message.body());
            assertEquals(message.body().equals("first") ? "t1" : null, message.messageAttributes().containsKey("tenantId")
                    ? message.messageAttributes().get("tenantId").stringValue() : null);
            assertTrue(Integer.parseInt(message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)) >= 1);
        }
    }

    @Test
    void aSecondDatabaseInTheSameJvmIsRefusedWithAReason() {
        try (LocalAws first = LocalAws.start(LocalAws.Options.defaults().withSqsDataDir(dir.resolve("a")))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> LocalAws.start(LocalAws.Options.defaults().withSqsDataDir(dir.resolve("b"))));
            assertTrue(refused.getMessage().contains("one database per JVM"), refused.getMessage());
        }
        // released on close: another database may be used now
        LocalAws.start(LocalAws.Options.defaults().withSqsDataDir(dir.resolve("b"))).close();
    }
}
