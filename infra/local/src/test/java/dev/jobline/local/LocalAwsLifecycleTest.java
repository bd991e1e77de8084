package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(LocalAwsExtension.class)
class LocalAwsLifecycleTest {

    private static final String TEMPLATE = """
            Parameters:
              Stage:
                Type: String
                Default: test
            Conditions:
              Never: !Equals [a, b]
            Resources:
              Orders:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: !Sub "${AWS::StackName}-orders-${Stage}"
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                    - {AttributeName: sk, AttributeType: N}
                    - {AttributeName: byDate, AttributeType: S}
                  KeySchema:
                    - {AttributeName: pk, KeyType: HASH}
                    - {AttributeName: sk, KeyType: RANGE}
                  LocalSecondaryIndexes:
                    - IndexName: date
                      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: byDate, KeyType: RANGE}]
                      Projection: {ProjectionType: KEYS_ONLY}
                  ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
                  StreamSpecification: {StreamViewType: NEW_IMAGE}
              Sessions:
                Type: AWS::Serverless::SimpleTable
                Properties:
                  PrimaryKey: {Name: sessionId, Type: String}
              Events:
                Type: AWS::SQS::Queue
                Properties:
                  FifoQueue: true
                  ContentBasedDeduplication: true
                  ReceiveMessageWaitTimeSeconds: 1
                  DelaySeconds: 2
                  RedrivePolicy:
                    deadLetterTargetArn: !GetAtt EventsDlq.Arn
                    maxReceiveCount: 3
              EventsDlq:
                Type: AWS::SQS::Queue
                Properties:
                  FifoQueue: true
                  QueueName: !Join ["", [events-dlq-, !Ref Stage, .fifo]]
              Api:
                Type: AWS::Serverless::HttpApi
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: shop.Handler
                  Environment:
                    Variables:
                      ORDERS: !Ref Orders
                      ORDERS_ARN: !GetAtt Orders.Arn
                      DLQ_NAME: !GetAtt EventsDlq.QueueName
                      EVENTS_URL: !GetAtt Events.QueueUrl
                      REGION: !Ref AWS::Region
                      OPTIONAL: !If [Never, x, !Ref AWS::NoValue]
              Broken:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: shop.Broken
                  Timeout: 5
                  MemorySize: 512
                  Environment:
                    Variables:
                      URL: !Sub "https://${Api}.example"
            """;

    @TempDir
    Path dir;

    private Path template() throws IOException {
        return Files.writeString(dir.resolve("template.yaml"), TEMPLATE);
    }

    private static boolean answers(URI endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void explicitNamesFifoQueuesSimpleTablesAndDependencyOrder(LocalAws aws) throws IOException {
        try (LocalResources resources = aws.provision(template(), ProvisionOptions.defaults().withStackName("shop"))) {
            String prefix = resources.prefix();
            assertEquals(prefix + "-shop-orders-test", resources.tableName("Orders"));
            TableDescription orders = aws.dynamoClient()
                    .describeTable(r -> r.tableName(resources.tableName("Orders"))).table();
            assertEquals(3L, orders.provisionedThroughput().writeCapacityUnits());
            assertEquals("date", orders.localSecondaryIndexes().get(0).indexName());
            assertTrue(resources.skipped().contains("Orders.StreamSpecification"), resources.skipped()::toString);
            assertEquals(List.of("sessionId"), aws.dynamoClient()
                    .describeTable(r -> r.tableName(resources.tableName("Sessions"))).table().keySchema().stream()
                    .map(KeySchemaElement::attributeName).toList());

            // the DLQ is declared after the queue that uses it, and created first
            assertEquals(List.of("EventsDlq", "Events"), List.copyOf(resources.queueUrls().keySet()));
            assertEquals(prefix + "-events-dlq-test.fifo", resources.queueName("EventsDlq"));
            assertEquals(prefix + "-Events.fifo", resources.queueName("Events"));
            Map<QueueAttributeName, String> events = aws.sqsClient().getQueueAttributes(r -> r
                    .queueUrl(resources.queueUrl("Events")).attributeNames(QueueAttributeName.ALL)).attributes();
            assertEquals("true", events.get(QueueAttributeName.FIFO_QUEUE));
            assertEquals("2", events.get(QueueAttributeName.DELAY_SECONDS));
            assertEquals("1", events.get(QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS));
            assertTrue(events.get(QueueAttributeName.REDRIVE_POLICY).contains(resources.queueArn("EventsDlq")));

            assertEquals(Map.of("ORDERS", resources.tableName("Orders"),
                    "ORDERS_ARN", "arn:aws:dynamodb:us-east-1:000000000000:table/" + resources.tableName("Orders"),
                    "DLQ_NAME", resources.queueName("EventsDlq"),
                    "EVENTS_URL", resources.queueUrl("Events"),
                    "REGION", "us-east-1"), resources.environment("Fn"));
            IllegalStateException broken = assertThrows(IllegalStateException.class,
                    () -> resources.environment("Broken"));
            assertTrue(broken.getMessage().contains("Api"), broken.getMessage());

            TemplateFunction fn = resources.function("Fn");
            assertEquals("shop.Handler", fn.handlerClass());
            assertEquals("handleRequest", fn.handlerMethod());
            assertEquals(3, fn.timeoutSeconds(), "SAM's default");
            assertEquals(128, fn.memorySize(), "SAM's default");
            assertEquals(5, resources.function("Broken").timeoutSeconds());
            assertEquals(512, resources.function("Broken").memorySize());
        }
    }

    @Test
    void dynalitePersistsToItsDataDirectoryAcrossRestarts() throws IOException {
        Path template = template();
        Path data = dir.resolve("dynamodb");
        ProvisionOptions stable = ProvisionOptions.defaults().withPrefix("dev");
        URI firstEndpoint;
        try (LocalAws aws = LocalAws.start(data)) {
            firstEndpoint = aws.dynamoEndpoint();
            LocalResources resources = aws.provision(template, stable);
            assertEquals("dev-jobline-local-orders-test", resources.tableName("Orders"));
            aws.dynamoClient().putItem(r -> r.tableName(resources.tableName("Orders"))
                    .item(Map.of("pk", AttributeValue.fromS("o1"), "sk", AttributeValue.fromN("1"))));
        }
        assertFalse(answers(firstEndpoint), "dynalite is stopped by close");
        assertTrue(Files.list(data).findAny().isPresent(), "LevelDB files in " + data);

        try (LocalAws aws = LocalAws.start(data)) {
            // same prefix: the existing table is reused, with its item
            LocalResources resources = aws.provision(template, stable);
            var item = aws.dynamoClient().getItem(r -> r.tableName(resources.tableName("Orders"))
                    .key(Map.of("pk", AttributeValue.fromS("o1"), "sk", AttributeValue.fromN("1")))).item();
            assertEquals("o1", item.get("pk").s());
        }
    }

    @Test
    void theSharedInstanceAnswersAndAProvisioningNeedsItOpen(LocalAws shared) throws IOException {
        assertTrue(answers(shared.dynamoEndpoint()));
        assertTrue(answers(shared.sqsEndpoint()));
        assertEquals("127.0.0.1", shared.dynamoEndpoint().getHost());
        assertEquals("127.0.0.1", shared.sqsEndpoint().getHost());

        LocalAws closed = LocalAws.start();
        closed.close();
        assertTrue(closed.isClosed());
        assertFalse(answers(closed.dynamoEndpoint()));
        assertThrows(IllegalStateException.class, () -> closed.provision(template()));
    }

    @Test
    void fixedPortsAreUsedAndQueueUrlsNameThem() throws IOException {
        int dynamoPort = Dynalite.freePort();
        int sqsPort = Dynalite.freePort();
        try (LocalAws aws = LocalAws.start(LocalAws.Options.defaults().withPorts(dynamoPort, sqsPort))) {
            assertEquals(URI.create("http://127.0.0.1:" + dynamoPort), aws.dynamoEndpoint());
            assertEquals(URI.create("http://127.0.0.1:" + sqsPort), aws.sqsEndpoint());
            try (LocalResources resources = aws.provision(template())) {
                String url = resources.queueUrl("Events");
                assertEquals(sqsPort, URI.create(url).getPort(), url);
                aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("m").messageGroupId("g"));
            }
        }
    }
}
