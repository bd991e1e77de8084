package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A sweep reads what is stale, not what the table holds: thousands of finished jobs cost it nothing.
 * (infra/bench runs the same with 100,000 finished jobs.)
 */
@ExtendWith(LocalAwsExtension.class)
class SweeperScaleIntegrationTest {

    @Test
    void aSweepReadsOnlyTheStaleJobsWhateverTheTableHolds(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_SUBMITS_PER_MINUTE", "100000"));
        String table = resources.tableName("JobsTable");
        List<WriteRequest> finished = new ArrayList<>();
        Instant longAgo = Instant.now().minus(Duration.ofDays(1));
        for (int i = 0; i < 2_000; i++) {
            // finished jobs as the store leaves them: no inflightShard, no sweepAt
            finished.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of(
                    "jobId", AttributeValue.fromS(UUID.randomUUID().toString()),
                    "tenantId", AttributeValue.fromS("tenant-a"),
                    "jobType", AttributeValue.fromS("echo"),
                    "status", AttributeValue.fromS("SUCCEEDED"),
                    "attempts", AttributeValue.fromN("1"),
                    "maxAttempts", AttributeValue.fromN("3"),
                    "createdAt", AttributeValue.fromN(Long.toString(longAgo.toEpochMilli())),
                    "createdKey", AttributeValue.fromS(longAgo + "#" + i),
                    "updatedAt", AttributeValue.fromN(Long.toString(longAgo.toEpochMilli())),
                    "version", AttributeValue.fromN("3"))).build()).build());
        }
        for (int from = 0; from < finished.size(); from += 25) {
            List<WriteRequest> chunk = finished.subList(from, from + 25);
            aws.dynamoClient().batchWriteItem(b -> b.requestItems(Map.of(table, chunk)));
        }
        // ten jobs the queue carries (never in the index) and ten due in three hours (no queue holds them: the sweeper's)
        Instant runAt = jobline.clock.instant().plus(Duration.ofHours(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            jobline.submit("echo", "{}");
            jobline.submit("{\"type\":\"echo\",\"payload\":{},\"runAt\":\"" + runAt + "\"}");
        }
        jobline.clock.advance(Duration.ofHours(3));

        Map<String, Object> sweep = jobline.sweep();

        assertEquals(2_020, jobline.storedItems());
        // ten index entries (keys only), then the ten jobs they name
        assertEquals(20, sweep.get("itemsRead"), "items read by one sweep: " + sweep);
        assertEquals(10, sweep.get("resent"));
    }
}
