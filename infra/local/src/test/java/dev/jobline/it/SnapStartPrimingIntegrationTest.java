package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Priming;
import dev.jobline.config.RequestRehearsal;
import dev.jobline.config.SnapshotHooks;
import dev.jobline.config.Wiring;
import dev.jobline.job.Job;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SnapStart's before-snapshot hook, run against the local stack with clients built as a function builds them
 * ({@link Clients#from}, its environment pointing at the stack): the submit and claim paths are marshalled and signed
 * for the stack's endpoints, and nothing reaches it.
 */
@ExtendWith(LocalAwsExtension.class)
class SnapStartPrimingIntegrationTest {
    private final CapturedLines logs = new CapturedLines();
    private LocalAws aws;
    private LocalResources resources;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        this.aws = aws;
        this.resources = resources;
        Log.redirect(logs.stream);
    }

    @AfterEach
    void stop() {
        Log.redirect(System.out);
    }

    /** A function's wiring as Lambda builds it, from its template environment plus what Lambda and the stack add. */
    private Wiring wiring(String function) {
        Map<String, String> env = new HashMap<>(resources.environment(function));
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put(Clients.DYNAMODB_ENDPOINT, aws.dynamoEndpoint().toString());
        env.put(Clients.SQS_ENDPOINT, aws.sqsEndpoint().toString());
        return new Wiring(Config.from(env), Clients.from(env), JobCatalog.registry(), Clock.systemUTC());
    }

    /** Every item of the table, keyed by id, as it is now. */
    private Map<String, Map<String, AttributeValue>> table() {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        aws.dynamoClient().scan(b -> b.tableName(resources.tableName("JobsTable"))).items()
                .forEach(item -> items.put(item.get("jobId").s(), item));
        return items;
    }

    /** Messages in every queue: visible, in flight and delayed. */
    private Map<String, Integer> queues() {
        Map<String, Integer> counts = new TreeMap<>();
        resources.queueUrls().forEach((id, url) -> {
            Map<QueueAttributeName, String> attributes = aws.sqsClient().getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            counts.put(id, attributes.values().stream().mapToInt(Integer::parseInt).sum());
        });
        return counts;
    }

    private static List<String> operations(List<RequestRehearsal.Rehearsed> rehearsed) {
        return rehearsed.stream().map(RequestRehearsal.Rehearsed::operation).toList();
    }

    private static List<String> hosts(List<RequestRehearsal.Rehearsed> rehearsed) {
        return rehearsed.stream().map(request -> request.uri().getScheme() + "://" + request.uri().getAuthority()).distinct().sorted().toList();
    }

    private List<String> stackEndpoints() {
        return List.of(aws.dynamoEndpoint(), aws.sqsEndpoint()).stream().map(URI::toString).map(u -> u.replaceAll("/$", "")).sorted().toList();
    }

    @Test
    void theApiHookPrimesASubmitAndNothingIsStoredOrSent() {
        // given an API function wired to the stack, and a job of a tenant already in the table
        Wiring api = wiring("ApiFunction");
        Job existing = Job.submitted(Priming.JOB_ID.replace("5a9a57a47000", "000000000042"), "tenant-a",
                JobCatalog.registry().find("echo").orElseThrow(), "{}", 3, 30, Instant.now());
        assertTrue(api.store().create(existing));
        Map<String, Map<String, AttributeValue>> tableBefore = table();
        Map<String, Integer> queuesBefore = queues();

        // when Lambda runs the before-snapshot hook the API handler registers
        SnapshotHooks.register(api, Priming::submit).beforeCheckpoint(null);

        // then the table and the queues are as they were, and the hook said it primed three requests
        assertEquals(tableBefore, table());
        assertEquals(queuesBefore, queues());
        assertTrue(queuesBefore.values().stream().allMatch(count -> count == 0), queuesBefore.toString());
        assertEquals(1, logs.objects().stream().filter(line -> "snapstart.primed".equals(line.get("event"))
                && Integer.valueOf(3).equals(line.get("requests"))).count(), logs.objects().toString());
    }

    @Test
    void aSubmitsPrimingMarshalsAndSignsTheQuotaJobAndMessageRequestsForTheStack() {
        Wiring api = wiring("ApiFunction");

        List<RequestRehearsal.Rehearsed> rehearsed = Priming.submit(api);

        assertEquals(List.of("DynamoDb.UpdateItem", "DynamoDb.PutItem", "Sqs.SendMessage"), operations(rehearsed));
        assertEquals(stackEndpoints(), hosts(rehearsed));
        assertTrue(rehearsed.stream().allMatch(request -> "local".equals(request.signedBy())), rehearsed.toString());
        assertEquals(Map.of(), table());
    }

    @Test
    void theWorkerHookPrimesAClaimAndNothingIsStoredOrSent() {
        Wiring worker = wiring("WorkerFunction");

        SnapshotHooks.register(worker, Priming::claim).beforeCheckpoint(null);
        List<RequestRehearsal.Rehearsed> rehearsed = Priming.claim(worker);

        assertEquals(List.of("DynamoDb.UpdateItem", "DynamoDb.UpdateItem", "Sqs.ChangeMessageVisibility"), operations(rehearsed));
        assertEquals(stackEndpoints(), hosts(rehearsed));
        assertEquals(Map.of(), table());
        assertTrue(queues().values().stream().allMatch(count -> count == 0), queues().toString());
    }

    @Test
    void theSameClientsOutsideARehearsalDoReachTheStack() {
        // the control: what the tests above count as "nothing reached the stack" is not clients aimed elsewhere
        Wiring api = wiring("ApiFunction");
        Job job = Job.submitted(Priming.JOB_ID, Priming.TENANT, JobCatalog.registry().find("echo").orElseThrow(), "{}", 3, 30,
                Instant.now());

        assertTrue(api.store().create(job));
        api.queue().send(new dev.jobline.queue.JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority()));

        assertEquals(List.of(Priming.JOB_ID), List.copyOf(table().keySet()));
        assertEquals(1, queues().get("JobsQueue"));
    }
}
