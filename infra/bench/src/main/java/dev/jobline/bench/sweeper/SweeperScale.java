package dev.jobline.bench.sweeper;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.jobline.api.ApiHandler;
import dev.jobline.bench.stack.BenchClients;
import dev.jobline.bench.stack.Machine;
import dev.jobline.bench.stack.Repo;
import dev.jobline.bench.throughput.CallCounter;
import dev.jobline.bench.throughput.CapacityModel;
import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.local.TemplateFunction;
import dev.jobline.queue.JobMessage;
import dev.jobline.store.DynamoJobStore;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.sweeper.SweeperHandler;
import dev.jobline.worker.WorkerHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Sweeper scale (issue 7): what one sweep reads when the table holds many finished jobs and a few stale ones. Target:
 * at most 50 items read with 100,000 finished jobs and 10 stale.
 *
 * <p>The finished jobs have exactly the items the store writes: one job of each end (SUCCEEDED, FAILED, CANCELLED) is
 * first driven through the real API and worker handlers, and every loaded item is a copy of that job's item with its
 * own id, tenant and times (so the benchmark cannot drift from the store; an attribute it does not know how to move
 * stops it). They are spread over several tenants and the past days and written with BatchWriteItem, 25 per call,
 * from several threads. The stale jobs come from the real code paths: submits whose SendMessage failed (the API wired
 * to a queue that does not exist, as RecoveryIntegrationTest does), and jobs a worker claimed (the store's claim, the
 * worker's lease) and then died on, their messages deleted. The sweeper runs once, through SweeperHandler, with a
 * clock past QUEUED_STALE_SECONDS and the lease; every SDK call it makes is counted ({@link CallCounter}). Afterwards
 * the stale jobs' messages must be back on the queue, and the worker must run each of them to SUCCEEDED.
 *
 * <p>Usage: {@code SweeperScale [--finished 100000] [--stale 10] [--tenants 8] [--writers 4] [--days 6]}.
 */
public final class SweeperScale {
    /** The issue's target: items one sweep reads. */
    private static final int TARGET_ITEMS_READ = 50;
    /** Epoch-millisecond times of a finished job's item, moved with its createdAt. */
    private static final List<String> MILLIS_TIMES = List.of("createdAt", "updatedAt", "startedAt", "finishedAt",
            "heartbeatAt", "failedAt");
    /** Epoch-second times (the TTL), moved with its createdAt. */
    private static final List<String> SECONDS_TIMES = List.of("expiresAt");
    private static final List<JobStatus> ENDS = List.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED);
    private static final long SEED = 20261124;

    private final Repo repo;
    private final LocalAws aws;
    private final LocalResources stack;
    private final Clients counted;
    private final String table;
    private final ApiHandler api;
    private final WorkerHandler worker;
    private final Config workerConfig;
    private final JobStore store;
    private final DynamoJobStore shards;

    private SweeperScale(Repo repo, LocalAws aws, LocalResources stack, Clients counted) {
        this.repo = repo;
        this.aws = aws;
        this.stack = stack;
        this.counted = counted;
        this.table = stack.tableName("JobsTable");
        this.api = new ApiHandler(wiring("ApiFunction", Map.of(), Clock.systemUTC()).api());
        Wiring workerWiring = wiring("WorkerFunction", Map.of(), Clock.systemUTC());
        this.worker = new WorkerHandler(workerWiring.worker());
        this.workerConfig = workerWiring.config();
        this.store = workerWiring.store();
        this.shards = new DynamoJobStore(aws.dynamoClient(), table, workerConfig.inFlightShards(), workerConfig.retention(),
                workerConfig.queuedStaleAfter());
    }

    public static void main(String[] args) throws Exception {
        int finished = option(args, "--finished", 100_000);
        int stale = option(args, "--stale", 10);
        int tenants = option(args, "--tenants", 8);
        int writers = option(args, "--writers", 4);
        int days = option(args, "--days", 6);
        if (stale < 2) {
            throw new IllegalArgumentException("--stale must be at least 2: half lost sends, half crashed workers");
        }
        System.setProperty("http.maxConnections", Integer.toString(4 * writers));

        Repo repo = Repo.locate();
        Repo.FunctionLogs functionLogs = repo.redirectFunctionLogs("sweeper-scale-functions.log");

        CallCounter counter = new CallCounter();
        try (LocalAws aws = LocalAws.start()) {
            LocalResources stack = aws.provision(repo.template());
            SweeperScale bench = new SweeperScale(repo, aws, stack, BenchClients.of(aws, List.of(counter)));
            System.out.println(String.format(Locale.ROOT, "Sweeper scale: %,d finished jobs over %d tenants and the past %d days,"
                    + " %d stale jobs, one sweep through SweeperHandler", finished, tenants, days, stale));
            System.out.println("  machine: " + Machine.describe());
            System.out.println("  function logs: " + functionLogs.file());
            bench.run(counter, finished, stale, tenants, writers, days);
            System.out.println("machine at the end: " + Machine.load());
        } finally {
            functionLogs.out().flush();
        }
    }

    private void run(CallCounter counter, int finished, int stale, int tenants, int writers, int days) throws Exception {
        Map<JobStatus, Map<String, AttributeValue>> shapes = realFinishedJobs();
        shapes.forEach((end, item) -> System.out.println("  real " + end + " job (driven through the API and worker handlers): "
                + item.size() + " attributes " + item.keySet().stream().sorted().toList()));
        shapes.values().forEach(SweeperScale::requireCopyable);

        long loadStarted = System.nanoTime();
        String[] loaded = load(shapes, finished, tenants, writers, days);
        double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "  loaded %,d finished jobs in %.1f s (%,.0f items/s; BatchWriteItem, 25 per call, %d threads)",
                loaded.length, loadSeconds, loaded.length / loadSeconds, writers));
        checkShapes(shapes, loaded, 5);

        Set<String> lostSends = lostSends(stale / 2);
        Set<String> crashed = crashedWorkers(stale - stale / 2);
        requireQueueEmpty("before the sweep");
        System.out.println("  stale: " + lostSends.size() + " jobs whose SendMessage failed (QUEUED, no message), "
                + crashed.size() + " jobs claimed by a worker that then died (RUNNING, lease " + workerConfig.lease().toSeconds()
                + " s, message deleted)");
        TableCount count = countTable();
        System.out.println(String.format(Locale.ROOT,
                "  table: %,d items, of which %,d jobs (%,d loaded, %d driven through the handlers); counted by a Scan in %.1f s",
                count.items(), count.jobs(), loaded.length, count.jobs() - loaded.length, count.seconds()));

        Sweep sweep = sweep(counter, union(lostSends, crashed));
        Map<String, Object> answer = sweep.answer();
        int itemsRead = ((Number) answer.get("itemsRead")).intValue();
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "One sweep (SweeperHandler, clock %d min ahead, %.0f ms): %s",
                sweep.ahead().toMinutes(), sweep.millis(), answer));
        System.out.println(String.format(Locale.ROOT, "  items read by the sweep: %d of %,d in the table (target <= %d: %s)",
                itemsRead, count.items(), TARGET_ITEMS_READ, itemsRead <= TARGET_ITEMS_READ ? "met" : "MISSED"));
        System.out.println("  SDK calls of the sweep: " + sweep.tally().attemptsByOperation()
                + (sweep.tally().failuresByOperation().isEmpty() ? "" : ", failed: " + sweep.tally().failuresByOperation()));
        CapacityModel capacity = sweep.capacity();
        System.out.println(String.format(Locale.ROOT,
                "  capacity (computed, on-demand rules): %.1f RRU read; %d WRU written to the table + %d to indexes %s%s",
                capacity.readUnits(), capacity.tableWriteUnits(), capacity.indexWriteUnits(), capacity.indexWriteUnitsByIndex(),
                capacity.approximated() > 0 ? " (" + capacity.approximated() + " index writes estimated after the sweep)" : ""));

        checkRecovered(answer, lostSends, crashed);
    }

    /** One job of each end, through the real API and worker handlers: their items are what the store writes. */
    private Map<JobStatus, Map<String, AttributeValue>> realFinishedJobs() {
        String succeeded = submit(api, "{\"type\":\"echo\",\"payload\":{\"url\":\"https://example.com\",\"depth\":2}}");
        String failed = submit(api, "{\"type\":\"fail\",\"payload\":{\"retryable\":false,\"code\":\"BAD_INPUT\"}}");
        String cancelled = submit(api, "{\"type\":\"echo\",\"payload\":{\"url\":\"https://example.com\",\"depth\":2}}");
        APIGatewayV2HTTPResponse cancel = api.handleRequest(onJob("api-cancel-job.json", cancelled), context("ApiFunction"));
        if (cancel.getStatusCode() / 100 != 2) {
            throw new IllegalStateException("cancel answered " + cancel.getStatusCode() + ": " + cancel.getBody());
        }
        drainThroughWorker();
        Map<JobStatus, Map<String, AttributeValue>> items = new LinkedHashMap<>();
        Map<JobStatus, String> ids = Map.of(JobStatus.SUCCEEDED, succeeded, JobStatus.FAILED, failed, JobStatus.CANCELLED, cancelled);
        for (JobStatus end : ENDS) {
            Map<String, AttributeValue> item = item(ids.get(end));
            if (!end.name().equals(item.get("status").s())) {
                throw new IllegalStateException("the job driven to " + end + " ended " + item.get("status").s() + ": " + item);
            }
            items.put(end, item);
        }
        return items;
    }

    /**
     * Writes {@code finished} copies of the real jobs' items: each with a fresh id, a tenant, a createdAt in the past
     * {@code days} days, and the job's other times moved with it. Answers the ids written.
     */
    private String[] load(Map<JobStatus, Map<String, AttributeValue>> shapes, int finished, int tenants, int writers,
                          int days) throws Exception {
        String[] ids = new String[finished];
        Instant now = Instant.now();
        long span = Duration.ofDays(days).toNanos();
        AtomicInteger nextChunk = new AtomicInteger();
        int chunks = (finished + 24) / 25;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                running.add(threads.submit(() -> {
                    for (int chunk = nextChunk.getAndIncrement(); chunk < chunks; chunk = nextChunk.getAndIncrement()) {
                        List<WriteRequest> puts = new ArrayList<>(25);
                        for (int i = chunk * 25; i < Math.min(finished, chunk * 25 + 25); i++) {
                            ids[i] = UUID.randomUUID().toString();
                            Instant createdAt = now.minusNanos(new SplittableRandom(SEED + i).nextLong(span));
                            Map<String, AttributeValue> item = finishedLike(shapes.get(endOf(i)), ids[i],
                                    "bench-tenant-" + (i % tenants), createdAt);
                            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                        }
                        write(aws.dynamoClient(), puts);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : running) {
                writer.get();
            }
        } finally {
            threads.shutdownNow();
        }
        return ids;
    }

    /** 80% SUCCEEDED, 15% FAILED, 5% CANCELLED, interleaved. */
    private static JobStatus endOf(int i) {
        int slot = i % 20;
        return slot == 0 ? JobStatus.CANCELLED : slot <= 3 ? JobStatus.FAILED : JobStatus.SUCCEEDED;
    }

    private void write(DynamoDbClient dynamo, List<WriteRequest> puts) {
        Map<String, List<WriteRequest>> request = Map.of(table, puts);
        for (int round = 0; !request.isEmpty(); round++) {
            if (round == 10) {
                throw new IllegalStateException("BatchWriteItem left items unprocessed 10 times: " + request);
            }
            Map<String, List<WriteRequest>> asked = request;
            BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(asked));
            request = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
    }

    /**
     * The real item with its identity and times replaced. Any other attribute is copied as it is, so an attribute that
     * names the job or holds a time the benchmark does not move would stay the real job's: that stops the run instead.
     */
    private Map<String, AttributeValue> finishedLike(Map<String, AttributeValue> real, String jobId, String tenant,
                                                     Instant createdAt) {
        String realId = real.get("jobId").s();
        long shift = createdAt.toEpochMilli() - Long.parseLong(real.get("createdAt").n());
        Map<String, AttributeValue> item = new HashMap<>(real);
        item.put("jobId", AttributeValue.fromS(jobId));
        item.put("tenantId", AttributeValue.fromS(tenant));
        // the tenant index's sort key: createdAt to the nanosecond, then the id (JobItem.createdKey)
        item.put("createdKey", AttributeValue.fromS(createdAt + "#" + jobId));
        for (String name : MILLIS_TIMES) {
            item.computeIfPresent(name, (k, v) -> AttributeValue.fromN(Long.toString(Long.parseLong(v.n()) + shift)));
        }
        for (String name : SECONDS_TIMES) {
            item.computeIfPresent(name, (k, v) -> AttributeValue.fromN(Long.toString(Long.parseLong(v.n())
                    + Math.floorDiv(shift, 1000))));
        }
        if (item.containsKey("failedShard")) {
            item.put("failedShard", AttributeValue.fromS(Integer.toString(shards.shardOf(jobId))));
        }
        return item;
    }

    /** Refuses a real item the copies could not follow: a time not moved, the id or the key written another way. */
    private static void requireCopyable(Map<String, AttributeValue> real) {
        String id = real.get("jobId").s();
        String key = real.get("createdKey").s();
        int hash = key.lastIndexOf('#');
        if (hash < 0 || !key.substring(hash + 1).equals(id)
                || Instant.parse(key.substring(0, hash)).toEpochMilli() != Long.parseLong(real.get("createdAt").n())) {
            throw new IllegalStateException("createdKey is no longer createdAt#jobId: " + key + "; teach SweeperScale");
        }
        long now = Instant.now().toEpochMilli();
        long tenYears = Duration.ofDays(3653).toMillis();
        real.forEach((name, value) -> {
            if (name.equals("jobId") || name.equals("createdKey")) {
                return;
            }
            if (value.s() != null && value.s().contains(id)) {
                throw new IllegalStateException("attribute " + name + " names the job (" + value.s() + "); teach SweeperScale");
            }
            if (value.n() != null && !MILLIS_TIMES.contains(name) && !SECONDS_TIMES.contains(name)) {
                double number = Double.parseDouble(value.n());
                if (Math.abs(number - now) < tenYears || Math.abs(number - now / 1000.0) < tenYears / 1000.0) {
                    throw new IllegalStateException("attribute " + name + " = " + value.n()
                            + " looks like a time SweeperScale does not move; teach it");
                }
            }
        });
    }

    /**
     * Reads back a few loaded items of each end and holds them to the real job's: the same attributes with the same
     * types (maps to the same keys), the same values except the id, tenant, times and failed shard.
     */
    private void checkShapes(Map<JobStatus, Map<String, AttributeValue>> shapes, String[] loaded, int perEnd) {
        Set<String> moved = new LinkedHashSet<>(List.of("jobId", "tenantId", "createdKey", "failedShard"));
        moved.addAll(MILLIS_TIMES);
        moved.addAll(SECONDS_TIMES);
        SplittableRandom pick = new SplittableRandom(SEED);
        Map<JobStatus, Integer> checked = new TreeMap<>();
        List<Integer> samples = new ArrayList<>();
        for (JobStatus end : ENDS) {
            for (int n = 0; n < perEnd && loaded.length > 0; ) {
                int i = pick.nextInt(loaded.length);
                if (endOf(i) == end) {
                    samples.add(i);
                    n++;
                }
            }
        }
        for (int i : samples) {
            Map<String, AttributeValue> real = shapes.get(endOf(i));
            Map<String, AttributeValue> copy = item(loaded[i]);
            if (!shape(copy).equals(shape(real))) {
                throw new IllegalStateException("loaded item " + loaded[i] + " has shape " + shape(copy)
                        + ", the store writes " + shape(real));
            }
            real.forEach((name, value) -> {
                if (!moved.contains(name) && !value.equals(copy.get(name))) {
                    throw new IllegalStateException("loaded item " + loaded[i] + ": " + name + " = " + copy.get(name)
                            + ", the real job's is " + value);
                }
            });
            if (!copy.get("jobId").s().equals(loaded[i])) {
                throw new IllegalStateException("item " + loaded[i] + " was read back as " + copy.get("jobId"));
            }
            checked.merge(endOf(i), 1, Integer::sum);
        }
        System.out.println("  shape: " + samples.size() + " loaded items read back " + checked
                + ", each with the real job's attributes and types; equal values but for " + moved);
    }

    private static Map<String, String> shape(Map<String, AttributeValue> item) {
        Map<String, String> shape = new TreeMap<>();
        item.forEach((name, value) -> shape.put(name, value.type() == AttributeValue.Type.M
                ? "M" + shape(value.m()) : value.type().name()));
        return shape;
    }

    /** Submits through an API wired to a queue that does not exist: 202, the job QUEUED, its message never sent. */
    private Set<String> lostSends(int jobs) {
        String queueUrl = stack.queueUrl("JobsQueue");
        String missingQueue = queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + "no-such-queue";
        ApiHandler lostApi = new ApiHandler(wiring("ApiFunction", Map.of("QUEUE_URL", missingQueue), Clock.systemUTC()).api());
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < jobs; i++) {
            ids.add(submit(lostApi, "{\"type\":\"echo\",\"payload\":{\"lost\":" + i + "}}"));
        }
        for (String id : ids) {
            requireStatus(id, JobStatus.QUEUED, "after a lost send");
        }
        return ids;
    }

    /** Jobs a worker claimed, with the worker's lease, and then died on: no completion, no release, the message deleted. */
    private Set<String> crashedWorkers(int jobs) {
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < jobs; i++) {
            ids.add(submit(api, "{\"type\":\"echo\",\"payload\":{\"crashed\":" + i + "}}"));
        }
        Set<String> claimed = new LinkedHashSet<>();
        for (int round = 0; claimed.size() < ids.size() && round < 20; round++) {
            for (Message message : receive(Duration.ofSeconds(1))) {
                String id = JobMessage.jobIdFrom(message.body()).orElse(null);
                if (!ids.contains(id)) {
                    throw new IllegalStateException("an unexpected message on the jobs queue: " + message.body());
                }
                Instant now = Instant.now();
                if (store.claim(id, new Lease("crashed-worker/" + message.messageId(), now.plus(workerConfig.lease())), now).isEmpty()) {
                    throw new IllegalStateException("could not claim job " + id);
                }
                aws.sqsClient().deleteMessage(b -> b.queueUrl(stack.queueUrl("JobsQueue")).receiptHandle(message.receiptHandle()));
                claimed.add(id);
            }
        }
        if (!claimed.equals(ids)) {
            throw new IllegalStateException("claimed " + claimed + " of " + ids);
        }
        for (String id : ids) {
            requireStatus(id, JobStatus.RUNNING, "after the claim");
        }
        return ids;
    }

    private record Sweep(Map<String, Object> answer, double millis, Duration ahead, CallCounter.Tally tally,
                         CapacityModel capacity) {
    }

    /** One invocation of the sweeper function, its clock past the stale threshold and the lease, every call counted. */
    private Sweep sweep(CallCounter counter, Set<String> stale) {
        Duration ahead = max(config("SweeperFunction", Map.of()).queuedStaleAfter(), workerConfig.lease())
                .plus(Duration.ofMinutes(1));
        Wiring sweeperWiring = wiring("SweeperFunction", Map.of(), Clock.offset(Clock.systemUTC(), ahead));
        SweeperHandler sweeper = new SweeperHandler(sweeperWiring.sweeper(), sweeperWiring.reconciliation());
        ScheduledEvent event = event("schedule-sweep.json", ScheduledEvent.class);
        CapacityModel capacity = CapacityModel.of(aws.dynamoClient(), table);
        for (String id : stale) {
            capacity.known(item(id));   // the sweep's writes are priced against the items as they are now
        }
        CallCounter.Tally tally = counter.start(capacity, 0, false);
        long started = System.nanoTime();
        Map<String, Object> answer = sweeper.handleRequest(event, context("SweeperFunction"));
        double millis = (System.nanoTime() - started) / 1e6;
        counter.start(null, 0, false);   // what follows is the benchmark's own checking
        capacity.settle(aws.dynamoClient(), table);
        return new Sweep(answer, millis, ahead, tally, capacity);
    }

    /**
     * The sweep must have re-sent every lost job and requeued every crashed one: their messages are on the queue, and
     * the worker runs each of them to SUCCEEDED.
     */
    private void checkRecovered(Map<String, Object> answer, Set<String> lostSends, Set<String> crashed) {
        List<String> problems = new ArrayList<>();
        if (!Integer.valueOf(lostSends.size()).equals(answer.get("resent"))) {
            problems.add("resent " + answer.get("resent") + ", expected " + lostSends.size());
        }
        if (!Integer.valueOf(crashed.size()).equals(answer.get("requeued"))) {
            problems.add("requeued " + answer.get("requeued") + ", expected " + crashed.size());
        }
        for (String id : crashed) {
            Job job = store.find(id).orElseThrow();
            if (job.status() != JobStatus.QUEUED || job.error() == null || !JobError.LEASE_EXPIRED.equals(job.error().code())) {
                problems.add("crashed job " + id + " is " + job.status() + " with error " + job.error());
            }
        }
        Set<String> stale = union(lostSends, crashed);
        Map<String, Integer> messages = new TreeMap<>();
        Map<String, String> ended = new TreeMap<>();
        for (int round = 0; messages.keySet().size() < stale.size() && round < 20; round++) {
            List<Message> batch = receive(Duration.ofSeconds(1));
            batch.forEach(m -> messages.merge(JobMessage.jobIdFrom(m.body()).orElse(m.body()), 1, Integer::sum));
            if (!batch.isEmpty()) {
                deliver(batch);
            }
        }
        if (!messages.keySet().equals(stale)) {
            problems.add("messages on the jobs queue after the sweep, by job: " + messages + "; expected one for each of " + stale);
        }
        for (String id : stale) {
            JobStatus status = store.find(id).orElseThrow().status();
            if (status != JobStatus.SUCCEEDED) {
                ended.put(id, status.name());
            }
        }
        if (!ended.isEmpty()) {
            problems.add("stale jobs the worker did not run to SUCCEEDED after the sweep: " + ended);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the sweep did not recover the stale jobs: " + String.join("; ", problems));
        }
        System.out.println("  recovered: " + lostSends.size() + " re-sent and " + crashed.size()
                + " requeued; their " + messages.size() + " messages were on the queue and the worker ran each job to SUCCEEDED");
    }

    private record TableCount(long items, long jobs, double seconds) {
    }

    /** Every item of the table, and the job items among them (counters and quotas share the table), by one Scan. */
    private TableCount countTable() {
        long started = System.nanoTime();
        long items = 0;
        long jobs = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = aws.dynamoClient().scan(b -> b.tableName(table).projectionExpression("jobType")
                    .exclusiveStartKey(from));
            items += page.count();
            jobs += page.items().stream().filter(item -> item.containsKey("jobType")).count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return new TableCount(items, jobs, (System.nanoTime() - started) / 1e9);
    }

    private void requireQueueEmpty(String when) {
        Map<String, String> attributes = aws.sqsClient().getQueueAttributes(b -> b.queueUrl(stack.queueUrl("JobsQueue"))
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings();
        if (!"0".equals(attributes.get("ApproximateNumberOfMessages"))
                || !"0".equals(attributes.get("ApproximateNumberOfMessagesNotVisible"))) {
            throw new IllegalStateException("the jobs queue is not empty " + when + ": " + attributes);
        }
    }

    /** Receives and delivers to the worker until a receive finds nothing. */
    private void drainThroughWorker() {
        for (List<Message> batch = receive(Duration.ofSeconds(1)); !batch.isEmpty(); batch = receive(Duration.ofSeconds(1))) {
            deliver(batch);
        }
        requireQueueEmpty("after the real jobs ran");
    }

    private List<Message> receive(Duration wait) {
        return aws.sqsClient().receiveMessage(b -> b.queueUrl(stack.queueUrl("JobsQueue"))
                .maxNumberOfMessages(10)
                .waitTimeSeconds((int) wait.toSeconds())
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    /** As Lambda's event source: invokes the worker with the batch, deletes the records it did not name as failed. */
    private void deliver(List<Message> batch) {
        SQSBatchResponse response = worker.handleRequest(LambdaSqsEvent.event(batch, stack.queueArn("JobsQueue")),
                context("WorkerFunction"));
        Set<String> failed = new java.util.HashSet<>();
        response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        for (Message message : batch) {
            if (!failed.contains(message.messageId())) {
                aws.sqsClient().deleteMessage(b -> b.queueUrl(stack.queueUrl("JobsQueue")).receiptHandle(message.receiptHandle()));
            }
        }
    }

    private String submit(ApiHandler to, String body) {
        APIGatewayV2HTTPEvent event = event("api-submit-job.json", APIGatewayV2HTTPEvent.class);
        event.setBody(body);
        APIGatewayV2HTTPResponse response = to.handleRequest(event, context("ApiFunction"));
        if (response.getStatusCode() != 202) {
            throw new IllegalStateException("POST /jobs answered " + response.getStatusCode() + ": " + response.getBody());
        }
        return (String) Json.parseObject(response.getBody()).get("jobId");
    }

    /** A route about one job from an events/ file, e.g. api-cancel-job.json, naming the given job. */
    private APIGatewayV2HTTPEvent onJob(String file, String jobId) {
        APIGatewayV2HTTPEvent event = event(file, APIGatewayV2HTTPEvent.class);
        String path = event.getRawPath().replace("00000000-0000-4000-8000-000000000001", jobId);
        event.setRawPath(path);
        event.setPathParameters(Map.of("id", jobId));
        event.getRequestContext().getHttp().setPath(path);
        return event;
    }

    private void requireStatus(String jobId, JobStatus expected, String when) {
        JobStatus status = store.find(jobId).orElseThrow().status();
        if (status != expected) {
            throw new IllegalStateException("job " + jobId + " is " + status + " " + when + ", expected " + expected);
        }
    }

    private Map<String, AttributeValue> item(String jobId) {
        Map<String, AttributeValue> item = aws.dynamoClient().getItem(b -> b.tableName(table)
                .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            throw new IllegalStateException("no item for job " + jobId);
        }
        return item;
    }

    /** A function wired from its environment in template.yaml (plus overrides), on the counted clients. */
    private Wiring wiring(String function, Map<String, String> overrides, Clock clock) {
        return new Wiring(config(function, overrides), counted, JobCatalog.registry(), clock);
    }

    private Config config(String function, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(stack.environment(function));
        env.putAll(overrides);
        return Config.from(env);
    }

    private LambdaContext context(String function) {
        TemplateFunction template = stack.function(function);
        return new LambdaContext(template.logicalId(), Duration.ofSeconds(template.timeoutSeconds()), template.memorySize(), null);
    }

    /** An events/ file read the way the Lambda Java runtime reads an event (as LambdaLauncher does). */
    private <T> T event(String file, Class<T> type) {
        Path path = repo.event(file);
        PojoSerializer<T> serializer = LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, getClass().getClassLoader())
                : JacksonFactory.getInstance().getSerializer(type);
        try (InputStream in = Files.newInputStream(path)) {
            return serializer.fromJson(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
