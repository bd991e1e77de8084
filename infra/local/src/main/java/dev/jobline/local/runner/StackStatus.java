package dev.jobline.local.runner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the terminal view shows, read fresh: jobs by status and the progress of the running ones (a Scan of the local
 * table with a projection: fine for a local table, never for a real one), dead-letter records kept, and each queue's
 * depth (exact on ElasticMQ), and the job types an operator paused.
 */
record StackStatus(Map<String, Integer> jobsByStatus, List<RunningJob> running, int deadLetters,
        List<QueueDepth> queues, List<String> pausedTypes, List<ScheduleLine> schedules) {

    static final List<String> STATUSES = List.of("WAITING", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");

    record RunningJob(String jobId, String type, int attempt, long current, long total, String message) {
    }

    record QueueDepth(String name, int visible, int inFlight, int delayed) {
    }

    /** A schedule: whose, its next fire (null: paused or ended), its latest fire and what it did. */
    record ScheduleLine(String tenantId, String name, boolean paused, java.time.Instant nextFireAt, java.time.Instant lastFireAt,
                        String lastOutcome, String lastJobId) {
    }

    /** @param schedulesTable the schedules' table; null for a template without one */
    static StackStatus read(DynamoDbClient dynamo, String table, String schedulesTable, SqsClient sqs, Map<String, String> queueUrls) {
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        STATUSES.forEach(status -> byStatus.put(status, 0));
        List<RunningJob> running = new ArrayList<>();
        int deadLetters = 0;
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(table)
                    .projectionExpression("jobId, #status, jobType, attempts, progress, recordType")
                    .expressionAttributeNames(Map.of("#status", "status"));
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page = dynamo.scan(scan.build());
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.containsKey("recordType") && "DEAD_LETTER".equals(item.get("recordType").s())) {
                    deadLetters++;
                } else if (item.containsKey("status")) {
                    String status = item.get("status").s();
                    byStatus.merge(status, 1, Integer::sum);
                    if (status.equals("RUNNING")) {
                        running.add(runningJob(item));
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        running.sort(Comparator.comparing(RunningJob::jobId));
        List<QueueDepth> queues = new ArrayList<>();
        new TreeMap<>(queueUrls).forEach((id, url) -> {
            Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed")).attributesAsStrings();
            queues.add(new QueueDepth(url.substring(url.lastIndexOf('/') + 1),
                    number(attributes.get("ApproximateNumberOfMessages")),
                    number(attributes.get("ApproximateNumberOfMessagesNotVisible")),
                    number(attributes.get("ApproximateNumberOfMessagesDelayed"))));
        });
        // the paused types, as the workers read them (one item)
        List<String> paused = new ArrayList<>(new dev.jobline.store.DynamoTypePauses(dynamo, table).paused().keySet());
        return new StackStatus(byStatus, running, deadLetters, queues, paused,
                schedulesTable == null ? List.of() : schedules(dynamo, schedulesTable));
    }

    /** Every schedule of the local table, by tenant and name (a Scan: a local table only). */
    private static List<ScheduleLine> schedules(DynamoDbClient dynamo, String table) {
        List<ScheduleLine> lines = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(table);
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page = dynamo.scan(scan.build());
            for (Map<String, AttributeValue> item : page.items()) {
                dev.jobline.schedule.Schedule schedule = dev.jobline.store.DynamoScheduleStore.fromStoredItem(item);
                dev.jobline.schedule.ScheduleRun last = schedule.runs().isEmpty() ? null : schedule.runs().get(0);
                lines.add(new ScheduleLine(schedule.tenantId(), schedule.name(), schedule.paused(),
                        schedule.paused() ? null : schedule.nextFireAt(), last == null ? null : last.fireAt(),
                        last == null ? null : last.outcome(), last == null ? null : last.jobId()));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        lines.sort(Comparator.comparing(ScheduleLine::tenantId).thenComparing(ScheduleLine::name));
        return lines;
    }

    private static RunningJob runningJob(Map<String, AttributeValue> item) {
        long current = 0;
        long total = 0;
        String message = null;
        AttributeValue progress = item.get("progress");
        if (progress != null && progress.hasM()) {
            Map<String, AttributeValue> fields = progress.m();
            current = fields.containsKey("current") ? (long) Double.parseDouble(fields.get("current").n()) : 0;
            total = fields.containsKey("total") ? (long) Double.parseDouble(fields.get("total").n()) : 0;
            message = fields.containsKey("message") ? fields.get("message").s() : null;
        }
        return new RunningJob(item.get("jobId").s(), item.containsKey("jobType") ? item.get("jobType").s() : "?",
                item.containsKey("attempts") ? number(item.get("attempts").n()) : 0, current, total, message);
    }

    private static int number(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
