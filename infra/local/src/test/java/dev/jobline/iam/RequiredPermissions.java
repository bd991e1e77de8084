package dev.jobline.iam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.sqs.model.SqsRequest;
import software.amazon.awssdk.services.sqs.model.StartMessageMoveTaskRequest;

/**
 * What IAM authorizes for one SDK call. Mostly the operation's own action on the table, index or queue it names;
 * but a batch call is authorized per table and under its single-item action for SQS, a transaction per item, and a
 * dead-letter move needs the receive, delete and attribute actions on its source and SendMessage on where it sends
 * (the SQS developer guide's "Amazon SQS API permissions" table). An operation this class does not know is refused,
 * so a new kind of call gets a rule here before it can pass.
 */
final class RequiredPermissions {
    private static final Map<String, String> SQS_BATCHES = Map.of(
            "SendMessageBatch", "SendMessage",
            "DeleteMessageBatch", "DeleteMessage",
            "ChangeMessageVisibilityBatch", "ChangeMessageVisibility");

    private RequiredPermissions() {
    }

    static List<IamRequest> of(SdkRequest request, String operation, StackArns stack) {
        if (request instanceof DynamoDbRequest dynamo) {
            return dynamoDb(dynamo, operation, stack);
        }
        if (request instanceof SqsRequest sqs) {
            return sqs(sqs, operation, stack);
        }
        throw new IllegalArgumentException("no IAM rule for " + request.getClass().getSimpleName());
    }

    private static List<IamRequest> dynamoDb(DynamoDbRequest request, String operation, StackArns stack) {
        List<IamRequest> needed = new ArrayList<>();
        if (request instanceof BatchGetItemRequest batch) {
            batch.requestItems().keySet().forEach(table -> needed.add(dynamo("BatchGetItem", stack.tableArn(table))));
        } else if (request instanceof BatchWriteItemRequest batch) {
            batch.requestItems().keySet().forEach(table -> needed.add(dynamo("BatchWriteItem", stack.tableArn(table))));
        } else if (request instanceof TransactWriteItemsRequest transaction) {
            for (TransactWriteItem item : transaction.transactItems()) {
                if (item.put() != null) {
                    needed.add(dynamo("PutItem", stack.tableArn(item.put().tableName())));
                } else if (item.update() != null) {
                    needed.add(dynamo("UpdateItem", stack.tableArn(item.update().tableName())));
                } else if (item.delete() != null) {
                    needed.add(dynamo("DeleteItem", stack.tableArn(item.delete().tableName())));
                } else if (item.conditionCheck() != null) {
                    needed.add(dynamo("ConditionCheckItem", stack.tableArn(item.conditionCheck().tableName())));
                }
            }
        } else if (request instanceof TransactGetItemsRequest transaction) {
            for (TransactGetItem item : transaction.transactItems()) {
                needed.add(dynamo("GetItem", stack.tableArn(item.get().tableName())));
            }
        } else {
            String table = request.getValueForField("TableName", String.class)
                    .orElseThrow(() -> new IllegalArgumentException("no IAM rule for dynamodb:" + operation + " (it names no table)"));
            String index = request.getValueForField("IndexName", String.class).orElse(null);
            needed.add(dynamo(operation, index == null ? stack.tableArn(table) : stack.indexArn(table, index)));
        }
        return needed;
    }

    private static List<IamRequest> sqs(SqsRequest request, String operation, StackArns stack) {
        if (request instanceof StartMessageMoveTaskRequest move) {
            List<IamRequest> needed = new ArrayList<>();
            for (String action : List.of("StartMessageMoveTask", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes")) {
                needed.add(sqs(action, move.sourceArn()));
            }
            List<String> destinations = move.destinationArn() != null ? List.of(move.destinationArn())
                    : stack.redriveSources(move.sourceArn());
            destinations.forEach(destination -> needed.add(sqs("SendMessage", destination)));
            return needed;
        }
        String queueUrl = request.getValueForField("QueueUrl", String.class)
                .orElseThrow(() -> new IllegalArgumentException("no IAM rule for sqs:" + operation + " (it names no queue)"));
        return List.of(sqs(SQS_BATCHES.getOrDefault(operation, operation), stack.queueArn(queueUrl)));
    }

    private static IamRequest dynamo(String action, String arn) {
        return new IamRequest("dynamodb:" + action, arn);
    }

    private static IamRequest sqs(String action, String arn) {
        return new IamRequest("sqs:" + action, arn);
    }
}
