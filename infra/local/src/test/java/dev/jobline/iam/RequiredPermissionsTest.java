package dev.jobline.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.StartMessageMoveTaskRequest;

/** SDK calls become the actions and resources IAM checks for them. */
@ExtendWith(LocalAwsExtension.class)
class RequiredPermissionsTest {

    @Test
    void aBatchGetIsCheckedOnEveryTableItReads(LocalResources resources) {
        StackArns stack = new StackArns(resources);
        KeysAndAttributes key = KeysAndAttributes.builder().keys(Map.of("jobId", AttributeValue.fromS("1"))).build();
        BatchGetItemRequest request = BatchGetItemRequest.builder()
                .requestItems(Map.of(resources.tableName("JobsTable"), key, "Elsewhere", key)).build();

        List<IamRequest> needed = RequiredPermissions.of(request, "BatchGetItem", stack);

        assertEquals(2, needed.size(), needed.toString());
        assertEquals(true, needed.contains(new IamRequest("dynamodb:BatchGetItem", resources.tableArn("JobsTable"))));
        assertEquals(true, needed.contains(new IamRequest("dynamodb:BatchGetItem",
                "arn:aws:dynamodb:us-east-1:000000000000:table/Elsewhere")));
    }

    @Test
    void aQueryOnAnIndexIsCheckedOnTheIndex(LocalResources resources) {
        QueryRequest query = QueryRequest.builder().tableName(resources.tableName("JobsTable")).indexName("inFlight").build();

        assertEquals(List.of(new IamRequest("dynamodb:Query", resources.tableArn("JobsTable") + "/index/inFlight")),
                RequiredPermissions.of(query, "Query", new StackArns(resources)));
    }

    @Test
    void aTransactionIsCheckedItemByItem(LocalResources resources) {
        String table = resources.tableName("JobsTable");
        TransactWriteItemsRequest transaction = TransactWriteItemsRequest.builder().transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(table)).build(),
                TransactWriteItem.builder().conditionCheck(c -> c.tableName(table)).build()).build();

        assertEquals(List.of(new IamRequest("dynamodb:PutItem", resources.tableArn("JobsTable")),
                        new IamRequest("dynamodb:ConditionCheckItem", resources.tableArn("JobsTable"))),
                RequiredPermissions.of(transaction, "TransactWriteItems", new StackArns(resources)));
    }

    @Test
    void aBatchSendIsCheckedAsSendMessageOnTheQueue(LocalResources resources) {
        SendMessageBatchRequest batch = SendMessageBatchRequest.builder().queueUrl(resources.queueUrl("JobsQueue")).build();

        assertEquals(List.of(new IamRequest("sqs:SendMessage", resources.queueArn("JobsQueue"))),
                RequiredPermissions.of(batch, "SendMessageBatch", new StackArns(resources)));
    }

    @Test
    void aDeadLetterMoveNeedsTheSourcesActionsAndSendMessageOnEveryQueueThatRedrivesToIt(LocalResources resources) {
        String deadLetters = resources.queueArn("JobsDeadLetterQueue");
        StartMessageMoveTaskRequest move = StartMessageMoveTaskRequest.builder().sourceArn(deadLetters).build();

        assertEquals(List.of(
                        new IamRequest("sqs:StartMessageMoveTask", deadLetters),
                        new IamRequest("sqs:ReceiveMessage", deadLetters),
                        new IamRequest("sqs:DeleteMessage", deadLetters),
                        new IamRequest("sqs:GetQueueAttributes", deadLetters),
                        new IamRequest("sqs:SendMessage", resources.queueArn("JobsQueue")),
                        new IamRequest("sqs:SendMessage", resources.queueArn("HighPriorityJobsQueue"))),
                RequiredPermissions.of(move, "StartMessageMoveTask", new StackArns(resources)));
    }

    @Test
    void aQueueOutsideTheStackIsNamedByItsUrlsAccountAndName(LocalResources resources) {
        StackArns stack = new StackArns(resources);

        assertEquals("arn:aws:sqs:us-east-1:123456789012:other", stack.queueArn("http://localhost:9324/123456789012/other"));
        assertEquals(false, stack.inStack("arn:aws:sqs:us-east-1:123456789012:other"));
        assertEquals(true, stack.inStack(resources.tableArn("JobsTable") + "/index/byTenant"));
    }

    @Test
    void aCallWithoutARuleIsRefused(LocalResources resources) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> RequiredPermissions.of(ListTablesRequest.builder().build(), "ListTables", new StackArns(resources)));
        assertEquals("no IAM rule for dynamodb:ListTables (it names no table)", refused.getMessage());
    }
}
