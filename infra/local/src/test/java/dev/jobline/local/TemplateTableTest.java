package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

@ExtendWith(LocalAwsExtension.class)
class TemplateTableTest {

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static List<String> keys(List<KeySchemaElement> schema) {
        return schema.stream().map(k -> k.attributeName() + ":" + k.keyTypeAsString()).toList();
    }

    @Test
    void jobsTableHasTheTemplatesKeysAndIndexes(LocalAws aws, LocalResources resources) {
        TableDescription table = aws.dynamoClient()
                .describeTable(r -> r.tableName(resources.tableName("JobsTable"))).table();

        assertEquals(resources.prefix() + "-JobsTable", table.tableName());
        assertEquals(resources.tableArn("JobsTable"), table.tableArn());
        assertEquals(List.of("jobId:HASH"), keys(table.keySchema()));
        assertEquals(BillingMode.PAY_PER_REQUEST, table.billingModeSummary().billingMode());
        Map<String, GlobalSecondaryIndexDescription> indexes = table.globalSecondaryIndexes().stream()
                .collect(Collectors.toMap(GlobalSecondaryIndexDescription::indexName, i -> i));
        assertEquals(Set.of("byTenant", "inFlight", "failed"), indexes.keySet());
        assertEquals(List.of("tenantId:HASH", "createdKey:RANGE"), keys(indexes.get("byTenant").keySchema()));
        assertEquals(ProjectionType.KEYS_ONLY, indexes.get("byTenant").projection().projectionType());
        assertEquals(List.of("inflightShard:HASH", "sweepAt:RANGE"), keys(indexes.get("inFlight").keySchema()));
        assertEquals(ProjectionType.KEYS_ONLY, indexes.get("inFlight").projection().projectionType());
        assertEquals(List.of("failedShard:HASH", "failedAt:RANGE"), keys(indexes.get("failed").keySchema()));
        assertTrue(resources.skipped().contains("JobsTable.TimeToLiveSpecification"), resources.skipped()::toString);
    }

    @Test
    void sparseInFlightIndexHoldsOnlyItemsWithItsKeysAndOnlyTheirKeys(LocalAws aws,
            LocalResources resources) {
        DynamoDbClient dynamo = aws.dynamoClient();
        String table = resources.tableName("JobsTable");
        dynamo.putItem(r -> r.tableName(table).item(Map.of("jobId", s("queued"), "tenantId", s("t1"),
                "createdKey", s("2024-01-01#queued"), "status", s("QUEUED"), "inflightShard", s("3"),
                "sweepAt", n(100), "payload", s("{\"big\":true}"))));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("jobId", s("running"), "tenantId", s("t1"),
                "createdKey", s("2024-01-01#running"), "status", s("RUNNING"), "inflightShard", s("3"),
                "sweepAt", n(200))));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("jobId", s("done"), "tenantId", s("t1"),
                "createdKey", s("2024-01-01#done"), "status", s("SUCCEEDED"))));

        QueryResponse stale = dynamo.query(r -> r.tableName(table).indexName("inFlight")
                .keyConditionExpression("inflightShard = :shard AND sweepAt <= :now")
                .expressionAttributeValues(Map.of(":shard", s("3"), ":now", n(150))));
        assertEquals(List.of("queued"), stale.items().stream().map(i -> i.get("jobId").s()).toList());
        // keys only: the table's and the index's keys, nothing else
        assertEquals(Set.of("jobId", "inflightShard", "sweepAt"), stale.items().get(0).keySet());

        QueryResponse all = dynamo.query(r -> r.tableName(table).indexName("inFlight")
                .keyConditionExpression("inflightShard = :shard")
                .expressionAttributeValues(Map.of(":shard", s("3"))));
        assertEquals(List.of("queued", "running"), all.items().stream().map(i -> i.get("jobId").s()).toList());

        QueryResponse tenant = dynamo.query(r -> r.tableName(table).indexName("byTenant")
                .keyConditionExpression("tenantId = :t AND begins_with(createdKey, :day)")
                .expressionAttributeValues(Map.of(":t", s("t1"), ":day", s("2024-01-01")))
                .scanIndexForward(false));
        assertEquals(List.of("running", "queued", "done"),
                tenant.items().stream().map(i -> i.get("jobId").s()).toList());
        assertEquals(Set.of("jobId", "tenantId", "createdKey"), tenant.items().get(1).keySet(), "byTenant projects keys only");
    }

    @Test
    void conditionalPutFailsTheSecondTime(LocalAws aws, LocalResources resources) {
        DynamoDbClient dynamo = aws.dynamoClient();
        String table = resources.tableName("JobsTable");
        Runnable put = () -> dynamo.putItem(r -> r.tableName(table)
                .item(Map.of("jobId", s("j1"), "status", s("QUEUED")))
                .conditionExpression("attribute_not_exists(jobId)"));
        put.run();
        assertThrows(ConditionalCheckFailedException.class, put::run);
    }

    @Test
    void conditionalUpdateWithVersionAndReturnValues(LocalAws aws, LocalResources resources) {
        DynamoDbClient dynamo = aws.dynamoClient();
        String table = resources.tableName("JobsTable");
        dynamo.putItem(r -> r.tableName(table).item(Map.of("jobId", s("j1"), "status", s("QUEUED"),
                "version", n(1), "inflightShard", s("0"), "sweepAt", n(5))));
        var updated = dynamo.updateItem(r -> r.tableName(table).key(Map.of("jobId", s("j1")))
                .updateExpression("SET #s = :running, version = version + :one REMOVE inflightShard, sweepAt")
                .conditionExpression("#s = :queued AND version = :v")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":running", s("RUNNING"), ":queued", s("QUEUED"), ":v", n(1),
                        ":one", n(1)))
                .returnValues("ALL_NEW"));
        assertEquals("RUNNING", updated.attributes().get("status").s());
        assertEquals("2", updated.attributes().get("version").n());
        assertFalse(updated.attributes().containsKey("inflightShard"));
        // the item left the sparse index
        assertEquals(0, dynamo.query(r -> r.tableName(table).indexName("inFlight")
                .keyConditionExpression("inflightShard = :s")
                .expressionAttributeValues(Map.of(":s", s("0")))).count());
        // a stale version loses
        assertThrows(ConditionalCheckFailedException.class, () -> dynamo.updateItem(r -> r.tableName(table)
                .key(Map.of("jobId", s("j1")))
                .updateExpression("SET #s = :x").conditionExpression("version = :v")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":x", s("FAILED"), ":v", n(1)))));
    }

    @Test
    void twoProvisioningsDoNotShareTables(LocalAws aws, LocalResources mine) {
        try (LocalResources other = aws.provision(LocalAwsExtension.template())) {
            assertNotEquals(mine.prefix(), other.prefix());
            assertNotEquals(mine.tableName("JobsTable"), other.tableName("JobsTable"));
            assertNotEquals(mine.queueUrl("JobsQueue"), other.queueUrl("JobsQueue"));
            aws.dynamoClient().putItem(r -> r.tableName(mine.tableName("JobsTable"))
                    .item(Map.of("jobId", s("only-mine"))));
            assertEquals(1, aws.dynamoClient().scan(r -> r.tableName(mine.tableName("JobsTable"))).count());
            assertEquals(0, aws.dynamoClient().scan(r -> r.tableName(other.tableName("JobsTable"))).count());
        }
    }

    @Test
    void closeDeletesTheTablesAndQueuesAndPurgeEmptiesThem(LocalAws aws) {
        LocalResources resources = aws.provision(LocalAwsExtension.template());
        String table = resources.tableName("JobsTable");
        String queue = resources.queueUrl("JobsQueue");
        for (int i = 0; i < 30; i++) {
            String id = "j" + i;
            aws.dynamoClient().putItem(r -> r.tableName(table).item(Map.of("jobId", s(id))));
        }
        aws.sqsClient().sendMessage(r -> r.queueUrl(queue).messageBody("x"));
        resources.purge();
        assertEquals(0, aws.dynamoClient().scan(r -> r.tableName(table)).count());
        assertEquals(0, aws.sqsClient().receiveMessage(r -> r.queueUrl(queue)).messages().size());

        resources.close();
        assertThrows(ResourceNotFoundException.class, () -> aws.dynamoClient().describeTable(r -> r.tableName(table)));
        assertFalse(aws.sqsClient().listQueues(r -> r.queueNamePrefix(resources.prefix())).hasQueueUrls()
                && !aws.sqsClient().listQueues(r -> r.queueNamePrefix(resources.prefix())).queueUrls().isEmpty());
    }
}
