package dev.jobline.iam;

import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables and queues of one provisioning as IAM names them: the ARN of a table name or a queue URL, which
 * queues redrive into a dead-letter queue, and the same ARNs without the provisioning's prefix for reports
 * ({@code arn:aws:dynamodb:us-east-1:000000000000:table/JobsTable}).
 */
final class StackArns {
    private static final String TABLE_ARN = "arn:aws:dynamodb:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT_ID + ":table/";

    private final String prefix;
    private final Map<String, String> tableArns = new LinkedHashMap<>();
    private final Map<String, String> queueArns = new LinkedHashMap<>();
    private final Map<String, List<String>> redriveSources = new LinkedHashMap<>();

    StackArns(LocalResources resources) {
        this.prefix = resources.prefix() + "-";
        resources.tableNames().forEach((id, name) -> tableArns.put(name, resources.tableArn(id)));
        resources.queueUrls().forEach((id, url) -> {
            String arn = resources.queueArn(id);
            queueArns.put(url, arn);
            if (resources.properties(id).get("RedrivePolicy") instanceof Map<?, ?> redrive
                    && redrive.get("deadLetterTargetArn") instanceof String deadLetters) {
                redriveSources.computeIfAbsent(deadLetters, key -> new ArrayList<>()).add(arn);
            }
        });
    }

    String tableArn(String tableName) {
        return tableArns.getOrDefault(tableName, TABLE_ARN + tableName);
    }

    String indexArn(String tableName, String indexName) {
        return tableArn(tableName) + "/index/" + indexName;
    }

    /** A queue URL's ARN: the stack's own, else made from the URL's account and name, as SQS names queues. */
    String queueArn(String queueUrl) {
        String known = queueArns.get(queueUrl);
        if (known != null) {
            return known;
        }
        String[] path = URI.create(queueUrl).getPath().split("/");
        if (path.length < 3) {
            throw new IllegalArgumentException("not a queue URL: " + queueUrl);
        }
        return "arn:aws:sqs:" + LocalAws.REGION + ":" + path[path.length - 2] + ":" + path[path.length - 1];
    }

    /** The queues whose RedrivePolicy names this dead-letter queue: where a move task without destination sends to. */
    List<String> redriveSources(String deadLetterQueueArn) {
        return redriveSources.getOrDefault(deadLetterQueueArn, List.of());
    }

    /** Whether the ARN is a table (or one of its indexes) or a queue of this provisioning. */
    boolean inStack(String arn) {
        String table = arn.contains("/index/") ? arn.substring(0, arn.indexOf("/index/")) : arn;
        return tableArns.containsValue(table) || queueArns.containsValue(arn);
    }

    /** The ARN (or ARN pattern) with the provisioning's prefix taken out of the names. */
    String logical(String arn) {
        return arn.replace(prefix, "");
    }
}
