package dev.jobline.it;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.jobline.api.ApiHandler;
import dev.jobline.deadletter.DeadLetterHandler;
import dev.jobline.config.Clients;
import dev.jobline.iam.CheckedClients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.job.Job;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobType;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.scheduler.SchedulerHandler;
import dev.jobline.sweeper.SweeperHandler;
import dev.jobline.webhook.WebhookHandler;
import dev.jobline.worker.WorkerHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;

/**
 * The real handler classes wired to one fresh set of local tables and queues, plus what Lambda
 * would do around them: events from the files in events/, a counting-down Context, and the SQS
 * event source's receive / invoke / delete-what-succeeded loop. Each function gets its own SDK
 * clients, which check every call against that function's policies in template.yaml
 * ({@link CheckedClients}); the harness's own calls (the event source's, the tests' set-up and
 * reads) go through {@code aws}'s unchecked clients.
 */
final class Jobline {
    static final Path EVENTS = findEvents();
    private static final List<String> QUEUES = List.of("JobsQueue", "HighPriorityJobsQueue", "JobsDeadLetterQueue",
            "WebhooksQueue", "WebhooksDeadLetterQueue");

    final LocalAws aws;
    final LocalResources resources;
    final ShiftedClock clock = new ShiftedClock();
    /** Faults a test injects into every function's table writes. */
    final TableFaults faults = new TableFaults();
    final AtomicInteger countedRuns = new AtomicInteger();
    /** The worker's wiring; a test acting as a worker (a claim that then crashes) uses its store, checked as the worker's. */
    final Wiring wiring;
    final ApiHandler api;
    final WorkerHandler worker;
    final SweeperHandler sweeper;
    /** The sweeper function's wiring, for a test that builds another sweeper invocation (Lambda may run two at once). */
    final Wiring sweeperWiring;
    /** The scheduler function's wiring, for a test that builds a scheduler around a wrapped store. */
    final Wiring schedulerWiring;
    final SchedulerHandler scheduler;
    final DeadLetterHandler deadLetters;
    /** The webhook function, wired as the template says, but calling private hosts: the tests' receivers are on 127.0.0.1. */
    final Wiring webhookWiring;
    final WebhookHandler webhooks;
    final String queueUrl;
    final String deadLetterQueueUrl;
    final String webhooksQueueUrl;
    final String webhooksDeadLetterQueueUrl;
    private final Map<String, String> overrides;
    private final CheckedClients clients;
    /** The tests' reads of a job, on unchecked clients: not a call of any function. */
    private final Wiring unchecked;

    Jobline(LocalAws aws, LocalResources resources) {
        this(aws, resources, Map.of());
    }

    Jobline(LocalAws aws, LocalResources resources, Map<String, String> overrides) {
        this(aws, resources, overrides, List.of());
    }

    /**
     * @param overrides environment values replacing the template's, for every function
     * @param extraTypes job types a test needs beside the catalog's
     */
    Jobline(LocalAws aws, LocalResources resources, Map<String, String> overrides, List<JobType> extraTypes) {
        this.aws = aws;
        this.resources = resources;
        this.queueUrl = resources.queueUrl("JobsQueue");
        this.deadLetterQueueUrl = resources.queueUrl("JobsDeadLetterQueue");
        this.webhooksQueueUrl = resources.queueUrl("WebhooksQueue");
        this.webhooksDeadLetterQueueUrl = resources.queueUrl("WebhooksDeadLetterQueue");
        this.overrides = Map.copyOf(overrides);
        this.clients = new CheckedClients(aws, resources, List.of(faults));
        JobRegistry.Builder types = JobCatalog.register(JobRegistry.builder());
        extraTypes.forEach(types::register);
        JobRegistry registry = types
                .register(JobType.of("count", context -> countedRuns.incrementAndGet()))
                // fails for good on the first run of this harness, succeeds on any later one (manual retry)
                .register(JobType.of("fail-first", context -> {
                    if (countedRuns.getAndIncrement() == 0) {
                        throw dev.jobline.job.JobFailure.permanent("FIRST_RUN", "the first run always fails");
                    }
                    return "second time lucky";
                }))
                .build();
        this.wiring = new Wiring(config("WorkerFunction", overrides), clients.of("WorkerFunction"), registry, clock);
        this.unchecked = new Wiring(config("WorkerFunction", overrides), new Clients(aws.dynamoClient(), aws.sqsClient()), registry, clock);
        this.api = new ApiHandler(new Wiring(config("ApiFunction", overrides), clients.of("ApiFunction"), registry, clock).api());
        this.worker = new WorkerHandler(wiring.worker());
        this.sweeperWiring = new Wiring(config("SweeperFunction", overrides), clients.of("SweeperFunction"), registry, clock);
        this.sweeper = new SweeperHandler(sweeperWiring.sweeper(), sweeperWiring.reconciliation());
        this.schedulerWiring = new Wiring(config("SchedulerFunction", overrides), clients.of("SchedulerFunction"), registry, clock);
        this.scheduler = new SchedulerHandler(schedulerWiring.scheduler());
        this.deadLetters = new DeadLetterHandler(new Wiring(config("DeadLetterFunction", overrides), clients.of("DeadLetterFunction"), registry, clock).deadLetters());
        Map<String, String> webhookOverrides = new HashMap<>(Map.of("WEBHOOK_ALLOW_PRIVATE_HOSTS", "true"));
        webhookOverrides.putAll(overrides);
        this.webhookWiring = new Wiring(config("WebhookFunction", webhookOverrides), clients.of("WebhookFunction"), registry, clock);
        this.webhooks = new WebhookHandler(webhookWiring.webhooks());
    }

    private Config config(String function, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(resources.environment(function));
        // Lambda sets it from the function's MemorySize: jobs' compute is priced at it
        env.put(Config.MEMORY_SIZE, Integer.toString(resources.function(function).memorySize()));
        env.putAll(overrides);
        return Config.from(env);
    }

    /** An API function whose environment differs from the template's, e.g. a queue that does not exist. */
    ApiHandler apiWith(Map<String, String> overrides) {
        return new ApiHandler(new Wiring(config("ApiFunction", overrides), clients.of("ApiFunction"), wiring.registry(), clock).api());
    }

    /** The API function with variables that Lambda's environment, not the template, adds: e.g. SAM CLI's AWS_SAM_LOCAL. */
    ApiHandler apiWithLambdaVariables(Map<String, String> variables) {
        return new ApiHandler(new Wiring(config("ApiFunction", overrides), clients.of("ApiFunction"), wiring.registry(), clock).api(), variables);
    }

    static APIGatewayV2HTTPEvent apiEvent(String file) {
        return EventLoader.loadApiGatewayHttpEvent(EVENTS.resolve(file).toString());
    }

    /** Calls the API with an events/ file, edited; the call and its answer are checked against openapi.yaml. */
    APIGatewayV2HTTPResponse call(String file, Consumer<APIGatewayV2HTTPEvent> edit) {
        APIGatewayV2HTTPEvent event = apiEvent(file);
        edit.accept(event);
        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));
        OpenApiContract.check(event, response);
        return response;
    }

    APIGatewayV2HTTPResponse call(String file) {
        return call(file, event -> { });
    }

    /** Submits a job of the given type and payload as tenant-a; returns its id. */
    String submit(String type, String payloadJson) {
        return submit("{\"type\":\"" + type + "\",\"payload\":" + payloadJson + "}");
    }

    /** Submits a whole submission body as tenant-a; returns the job's id. */
    String submit(String body) {
        APIGatewayV2HTTPResponse response = call("api-submit-job.json", event -> event.setBody(body));
        if (response.getStatusCode() != 202) {
            throw new AssertionError("submit answered " + response.getStatusCode() + ": " + response.getBody());
        }
        return (String) Json.parseObject(response.getBody()).get("jobId");
    }

    /** Calls a route from an events/ file about one job, as the given tenant. */
    APIGatewayV2HTTPResponse onJob(String file, String jobId, String tenant) {
        return call(file, event -> {
            String path = event.getRawPath().replace("00000000-0000-4000-8000-000000000001", jobId);
            event.setRawPath(path);
            event.setPathParameters(Map.of("id", jobId));
            event.getRequestContext().getHttp().setPath(path);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
    }

    /** Calls a route from an events/ file as the given tenant, with the given query parameters. */
    APIGatewayV2HTTPResponse as(String file, String tenant, Map<String, String> query) {
        return call(file, event -> {
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
            event.setQueryStringParameters(query.isEmpty() ? null : new HashMap<>(query));
        });
    }

    APIGatewayV2HTTPResponse get(String jobId, String tenant) {
        return call("api-get-job.json", event -> {
            event.setRawPath("/jobs/" + jobId);
            event.setPathParameters(Map.of("id", jobId));
            event.getRequestContext().getHttp().setPath("/jobs/" + jobId);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
    }

    Map<String, Object> view(String jobId) {
        APIGatewayV2HTTPResponse response = get(jobId, "tenant-a");
        if (response.getStatusCode() != 200) {
            throw new AssertionError("get answered " + response.getStatusCode() + ": " + response.getBody());
        }
        return Json.parseObject(response.getBody());
    }

    /** Waits (up to 30 s) until the condition holds; fails naming what was awaited. */
    static void waitUntil(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Receives and delivers with the template's worker until the job ends (or 40 s pass); the job as it is then. */
    Job drainUntilEnded(String jobId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!job(jobId).status().isTerminal() && System.nanoTime() < deadline) {
            SQSEvent event = receive(Duration.ofSeconds(1));
            if (!event.getRecords().isEmpty()) {
                deliver(event);
            }
        }
        return job(jobId);
    }

    Job job(String jobId) {
        return unchecked.store().find(jobId).orElseThrow();
    }

    /** The tenants' records as the tests read them, on unchecked clients: not a call of any function. */
    dev.jobline.store.TenantStore tenants() {
        return unchecked.tenants();
    }

    /** The concurrency keys as the tests read them, on unchecked clients: not a call of any function. */
    dev.jobline.store.KeyStore keys() {
        return unchecked.keys();
    }

    /** The table as the tests set it up and read it, on unchecked clients: not a call of any function. */
    dev.jobline.store.JobStore store() {
        return unchecked.store();
    }

    /** Receives up to ten messages as Lambda's event source does, into an event shaped like events/sqs-one-job.json. */
    SQSEvent receive(Duration wait) {
        return receive(queueUrl, wait, null);
    }

    /** @param visibility how long the received messages stay hidden; null for the queue's own timeout */
    SQSEvent receive(String fromQueue, Duration wait, Duration visibility) {
        List<Message> messages = aws.sqsClient().receiveMessage(b -> b.queueUrl(fromQueue)
                .maxNumberOfMessages(10)
                .waitTimeSeconds((int) wait.toSeconds())
                .visibilityTimeout(visibility == null ? null : (int) visibility.toSeconds())
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        // as Lambda's event source hands them over, read the way the Lambda runtime reads its JSON
        SQSEvent event = LambdaSqsEvent.event(messages, arnOf(fromQueue));
        event.setRecords(event.getRecords() == null ? new ArrayList<>() : new ArrayList<>(event.getRecords()));
        return event;
    }

    /** Invokes the worker with a batch, then deletes the records it did not name as failed (the event source's job). */
    SQSBatchResponse deliver(SQSEvent event) {
        return deliver(event, Duration.ofSeconds(60));
    }

    SQSBatchResponse deliver(SQSEvent event, Duration functionTimeout) {
        return deliver(worker, event, functionTimeout);
    }

    /**
     * Another worker environment, wired as {@link #worker} is: Lambda runs concurrent batches in separate
     * environments, so each of several pollers gets its own.
     */
    WorkerHandler newWorker() {
        return new WorkerHandler(new Wiring(config("WorkerFunction", overrides), clients.of("WorkerFunction"), wiring.registry(), clock).worker());
    }

    /** As {@link #deliver(SQSEvent)}, to the given worker environment. */
    SQSBatchResponse deliver(WorkerHandler to, SQSEvent event, Duration functionTimeout) {
        SQSBatchResponse response = to.handleRequest(event, new LambdaContext("WorkerFunction", functionTimeout));
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
            failed.add(failure.getItemIdentifier());
        }
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            if (!failed.contains(record.getMessageId())) {
                try {
                    aws.sqsClient().deleteMessage(b -> b.queueUrl(queueOf(record)).receiptHandle(record.getReceiptHandle()));
                } catch (ReceiptHandleIsInvalidException e) {
                    // received again since (its handle is stale): the event source's delete fails, and it moves on
                }
            }
        }
        return response;
    }

    private String arnOf(String url) {
        for (String logicalId : QUEUES) {
            if (resources.queueUrl(logicalId).equals(url)) {
                return resources.queueArn(logicalId);
            }
        }
        throw new IllegalArgumentException("not a queue of this stack: " + url);
    }

    /** The URL of the queue a record came from, as the event source knows it by ARN. */
    String queueOf(SQSEvent.SQSMessage record) {
        for (String logicalId : QUEUES) {
            if (resources.queueArn(logicalId).equals(record.getEventSourceArn())) {
                return resources.queueUrl(logicalId);
            }
        }
        return queueUrl;
    }

    /** Invokes a webhook function with a batch of the webhooks queue, then deletes the records it did not name as failed. */
    SQSBatchResponse deliverWebhooks(WebhookHandler handler, SQSEvent event) {
        SQSBatchResponse response = handler.handleRequest(event, new LambdaContext("WebhookFunction", Duration.ofSeconds(60)));
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
            failed.add(failure.getItemIdentifier());
        }
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            if (!failed.contains(record.getMessageId())) {
                aws.sqsClient().deleteMessage(b -> b.queueUrl(webhooksQueueUrl).receiptHandle(record.getReceiptHandle()));
            }
        }
        return response;
    }

    /** Receives the webhooks queue's messages (waiting up to 2 s for the first) and delivers them with the template's function. */
    SQSBatchResponse receiveAndDeliverWebhooks() {
        SQSEvent event = receive(webhooksQueueUrl, Duration.ofSeconds(2), null);
        if (event.getRecords().isEmpty()) {
            throw new AssertionError("no message arrived on the webhooks queue");
        }
        return deliverWebhooks(webhooks, event);
    }

    /** Receives one batch (waiting up to 2 s) and delivers it; returns the worker's answer. */
    SQSBatchResponse receiveAndDeliver() {
        SQSEvent event = receive(Duration.ofSeconds(2));
        if (event.getRecords().isEmpty()) {
            throw new AssertionError("no message arrived on the jobs queue");
        }
        return deliver(event);
    }

    Map<String, Object> sweep() {
        ScheduledEvent event = EventLoader.loadScheduledEvent(EVENTS.resolve("schedule-sweep.json").toString());
        return sweeper.handleRequest(event, new LambdaContext("SweeperFunction", Duration.ofSeconds(60)));
    }

    /** The reconciliation running now, or the last one. */
    java.util.Optional<dev.jobline.store.ReconcileRun> reconciliation() {
        return sweeperWiring.reconciliation().current();
    }

    /** The daily reconciliation rule's invocation of the sweeper: starts a run and carries it on. */
    Map<String, Object> startReconciliation() {
        ScheduledEvent event = EventLoader.loadScheduledEvent(EVENTS.resolve("sweeper-reconcile.json").toString());
        return sweeper.handleRequest(event, new LambdaContext("SweeperFunction", Duration.ofSeconds(60)));
    }

    /**
     * A whole reconciliation, as the daily rule and the sweeps after it make it: started, scanned, and a minute later
     * (the clock moved on) the counts corrected. Answers the run as its last sweep reported it.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> reconcile() {
        startReconciliation();
        for (int sweeps = 0; sweeps < 10; sweeps++) {
            Map<String, Object> run = (Map<String, Object>) sweep().get("reconcile");
            if (run != null && "DONE".equals(run.get("status"))) {
                return run;
            }
            clock.advance(Duration.ofSeconds(61));
        }
        throw new AssertionError("the reconciliation did not end in 10 sweeps");
    }

    /** One pass of the scheduler function, as its EventBridge rule invokes it. */
    Map<String, Object> fireSchedules() {
        return fireSchedules(scheduler);
    }

    Map<String, Object> fireSchedules(SchedulerHandler handler) {
        ScheduledEvent event = EventLoader.loadScheduledEvent(EVENTS.resolve("schedule-fire.json").toString());
        return handler.handleRequest(event, new LambdaContext("SchedulerFunction", Duration.ofSeconds(60)));
    }

    /** Another scheduler environment, wired as {@link #scheduler} is (Lambda may run two invocations at once). */
    SchedulerHandler newScheduler() {
        return new SchedulerHandler(new Wiring(config("SchedulerFunction", overrides), clients.of("SchedulerFunction"),
                wiring.registry(), clock).scheduler());
    }

    /** The schedules as the tests read them, on unchecked clients: not a call of any function. */
    dev.jobline.store.ScheduleStore schedules() {
        return unchecked.schedules();
    }

    /** Calls a schedule route as tenant-a (or another tenant): method, path, body (null for none); checked against openapi.yaml. */
    APIGatewayV2HTTPResponse schedule(String method, String path, String body, String tenant) {
        return call("api-create-schedule.json", event -> {
            event.setRawPath(path);
            event.getRequestContext().getHttp().setPath(path);
            event.getRequestContext().getHttp().setMethod(method);
            event.setRouteKey(method + " " + (path.equals("/schedules") ? path : "/schedules/{name}"));
            event.setPathParameters(path.startsWith("/schedules/") ? Map.of("name", path.substring("/schedules/".length())) : null);
            event.setBody(body);
            if (body == null) {
                event.getHeaders().remove("content-type");
            }
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
    }

    APIGatewayV2HTTPResponse schedule(String method, String path, String body) {
        return schedule(method, path, body, "tenant-a");
    }

    int visibleMessages() {
        return visibleMessages(queueUrl);
    }

    int visibleMessages(String inQueue) {
        String count = aws.sqsClient().getQueueAttributes(b -> b.queueUrl(inQueue)
                        .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings()
                .get("ApproximateNumberOfMessages");
        return Integer.parseInt(count);
    }

    int storedItems() {
        // jobs only: tenant quota, statistics and dead-letter items share the table
        return aws.dynamoClient().scan(b -> b.tableName(resources.tableName("JobsTable")).select("COUNT")
                .filterExpression("attribute_exists(jobType)")).count();
    }

    private static Path findEvents() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("events"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no events/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("events");
    }
}
