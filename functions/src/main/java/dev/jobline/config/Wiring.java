package dev.jobline.config;

import dev.jobline.api.AdminService;
import dev.jobline.api.JobService;
import dev.jobline.api.JobsApi;
import dev.jobline.api.SchedulesApi;
import dev.jobline.scheduler.Scheduler;
import dev.jobline.store.DynamoScheduleStore;
import dev.jobline.store.ScheduleStore;
import dev.jobline.deadletter.DeadLetters;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.Priority;
import dev.jobline.lifecycle.Chains;
import dev.jobline.lifecycle.CompletionNotifier;
import dev.jobline.lifecycle.ConcurrencyKeys;
import dev.jobline.lifecycle.RunningLimits;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.lifecycle.TenantLedger;
import dev.jobline.lifecycle.TransitionLog;
import dev.jobline.metrics.JobMetrics;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.QueueAdmin;
import dev.jobline.queue.SqsJobQueue;
import dev.jobline.store.DynamoJobStore;
import dev.jobline.store.DynamoKeyStore;
import dev.jobline.store.DynamoLimitStore;
import dev.jobline.store.KeyStore;
import dev.jobline.store.DynamoTenantStore;
import dev.jobline.store.JobStore;
import dev.jobline.store.TenantStore;
import dev.jobline.store.DynamoTypeActivityStore;
import dev.jobline.store.DynamoTypePauses;
import dev.jobline.store.TypeActivityStore;
import dev.jobline.store.TypePauses;
import dev.jobline.metrics.TypeActivity;
import dev.jobline.reconcile.Reconciliation;
import dev.jobline.reconcile.StaleRule;
import dev.jobline.store.DynamoReconcileRunStore;
import dev.jobline.sweeper.Sweeper;
import dev.jobline.sweeper.SweeperDuties;
import dev.jobline.webhook.SqsWebhookQueue;
import dev.jobline.webhook.WebhookQueue;
import dev.jobline.webhook.WebhookSecrets;
import dev.jobline.webhook.WebhookSender;
import dev.jobline.webhook.WebhookSettings;
import dev.jobline.worker.Worker;
import dev.jobline.worker.WorkerSettings;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Builds every service of a function from one {@link Config} and one set of {@link Clients}: nothing receives the
 * wiring itself, each handler gets the one service it calls. Lambda uses {@link #fromEnvironment()}, once per
 * container; tests and the local runner build their own with clients pointed at the local stack. One
 * {@link JobLifecycle} per wiring, with its listeners: the tenants' counts and quota, the concurrency keys, the running
 * limits, the metrics, the completion webhooks, the transition log and the chains (which release dependent jobs).
 */
public final class Wiring {
    /** Rows per page when the sweeper reads the in-flight index. */
    private static final int SWEEP_PAGE_SIZE = 100;
    /** The template's sweeper schedule: a crashed attempt's own message gets this long beyond its return to come back. */
    private static final java.time.Duration SWEEP_PERIOD = java.time.Duration.ofMinutes(1);
    /** Items per page of the reconciliation's Scan: about 25 read units at 1 KB an item, paced page by page. */
    private static final int RECONCILE_PAGE_SIZE = 200;
    /** How long after its scan a reconciliation waits for count writes on their way before it corrects the counts. */
    private static final java.time.Duration RECONCILE_SETTLE = java.time.Duration.ofMinutes(1);
    /** A worker reads the paused types at most this often: a pause takes effect within it. */
    private static final java.time.Duration PAUSES_FRESH_FOR = java.time.Duration.ofSeconds(2);

    private final Config config;
    private final Clients clients;
    private final JobStore store;
    private final JobQueue queue;
    private final TenantStore tenants;
    private final JobLifecycle lifecycle;
    private final KeyStore keys;
    private final ConcurrencyKeys concurrencyKeys;
    private final RunningLimits limits;
    private final Chains chains;
    private final JobRegistry registry;
    private final Clock clock;
    private final WebhookQueue webhookQueue;
    private final WebhookSecrets webhookSecrets;
    /**
     * The jitter of retry and webhook backoffs. Not ThreadLocalRandom: its seeds derive from one static seeder, which a
     * SnapStart snapshot would hand to every copy restored from it, so they would all back off in step;
     * {@link #afterRestore()} reseeds this one.
     */
    private final Random jitter = new Random();
    private final TypePauses pauses;
    private final TypeActivityStore activity;

    public Wiring(Config config, Clients clients, JobRegistry registry, Clock clock) {
        this.config = config;
        this.clients = clients;
        DynamoJobStore jobs = new DynamoJobStore(clients.dynamo(), config.tableName(), config.inFlightShards(),
                config.retention(), config.queuedStaleAfter());
        this.store = jobs;
        Map<Priority, String> queues = new EnumMap<>(Priority.class);
        queues.put(Priority.NORMAL, config.queueUrl());
        if (config.highPriorityQueueUrl() != null) {
            queues.put(Priority.HIGH, config.highPriorityQueueUrl());
        }
        this.queue = new SqsJobQueue(clients.sqs(), queues);
        this.tenants = new DynamoTenantStore(clients.dynamo(), config.tableName(), config.tenantMaxInFlight(),
                config.tenantSubmitsPerMinute());
        this.registry = registry;
        this.clock = clock;
        this.webhookQueue = config.webhooksQueueUrl() == null ? null : new SqsWebhookQueue(clients.sqs(), config.webhooksQueueUrl());
        this.webhookSecrets = config.webhookSigningKey() == null ? null : new WebhookSecrets(config.webhookSigningKey().value());
        this.pauses = new DynamoTypePauses(clients.dynamo(), config.tableName());
        this.activity = new DynamoTypeActivityStore(clients.dynamo(), config.tableName());
        TenantLedger ledger = new TenantLedger(tenants);
        this.keys = new DynamoKeyStore(clients.dynamo(), config.tableName(), jobs);
        this.concurrencyKeys = new ConcurrencyKeys(keys, store);
        this.limits = new RunningLimits(new DynamoLimitStore(clients.dynamo(), config.tableName()), registry,
                config.tenantMaxRunning());
        this.chains = new Chains(store, queue);
        // chains last: a job's own end is counted, notified and logged before the moves it causes in its dependents
        this.lifecycle = new JobLifecycle(store, ledger, concurrencyKeys, List.of(ledger, concurrencyKeys, limits,
                new JobMetrics(config.metricsService()), new TypeActivity(activity), new CompletionNotifier(webhookQueue, store),
                new TransitionLog(), chains), clock);
        chains.bind(lifecycle);
    }

    public static Wiring fromEnvironment() {
        return Container.WIRING;
    }

    /** The job types an operator paused. */
    public TypePauses pauses() {
        return pauses;
    }

    public Config config() {
        return config;
    }

    public JobStore store() {
        return store;
    }

    public JobQueue queue() {
        return queue;
    }

    /** The tenants' records: quota, counts, cost. */
    public TenantStore tenants() {
        return tenants;
    }

    /** Every status change of a job goes through it. */
    public JobLifecycle lifecycle() {
        return lifecycle;
    }

    /** The concurrency keys' records (held keys, by shard of the in-flight index). */
    public KeyStore keys() {
        return keys;
    }

    /** The running limits a worker holds before it claims. */
    public RunningLimits limits() {
        return limits;
    }

    public JobRegistry registry() {
        return registry;
    }

    /** The tenants' webhook secrets; empty when this function has no WEBHOOK_SIGNING_KEY. */
    public Optional<WebhookSecrets> webhookSecrets() {
        return Optional.ofNullable(webhookSecrets);
    }

    public WebhookSender webhooks() {
        if (webhookQueue == null || webhookSecrets == null) {
            throw new IllegalStateException("the webhook function needs WEBHOOKS_QUEUE_URL and WEBHOOK_SIGNING_KEY");
        }
        return new WebhookSender(store, webhookQueue, webhookSecrets, clock,
                WebhookSettings.of(config.webhookMaxAttempts(), config.webhookAllowPrivateHosts()), jitter);
    }

    public QueueAdmin queueAdmin() {
        Map<String, String> named = new LinkedHashMap<>();
        named.put("normal", config.queueUrl());
        named.put("high", config.highPriorityQueueUrl());
        named.put("deadLetter", config.deadLetterQueueUrl());
        return new QueueAdmin(clients.sqs(), named, config.deadLetterQueueArn());
    }

    public JobsApi api() {
        JobService jobs = new JobService(lifecycle, store, queue, chains);
        AdminService admin = new AdminService(jobs, store, tenants, queue, queueAdmin(), registry, clock,
                config.tenantMaxRunning()).withTypes(pauses, activity);
        SchedulesApi schedules = config.schedulesTableName() == null ? null
                : new SchedulesApi(schedules(), store, registry, config.maxPayloadBytes(), config.scheduleMinRate(), clock);
        return new JobsApi(jobs, admin, lifecycle, registry, config.maxPayloadBytes(), config.adminScope(), webhookSecrets,
                schedules, reconciliation());
    }

    /** The tenants' schedules (SCHEDULES_TABLE_NAME), due index sharded as the in-flight index. */
    public ScheduleStore schedules() {
        if (config.schedulesTableName() == null) {
            throw new IllegalStateException("this function has no SCHEDULES_TABLE_NAME");
        }
        return new DynamoScheduleStore(clients.dynamo(), config.schedulesTableName(), config.inFlightShards());
    }

    public Scheduler scheduler() {
        return new Scheduler(lifecycle, schedules(), store, queue, registry, config.maxPayloadBytes(), config.scheduleLookahead());
    }

    public Worker worker() {
        return new Worker(lifecycle, limits, store, queue, registry,
                WorkerSettings.forLease(config.lease(), config.visibility(), config.safetyMargin(), config.workerParallelism(), config.maxResultBytes())
                        .withMemory(config.memoryMb()),
                jitter, TypePauses.cached(pauses, PAUSES_FRESH_FOR, System::nanoTime), config.pausedRecheck());
    }

    public DeadLetters deadLetters() {
        return new DeadLetters(lifecycle, store, queue, config.webhooksDeadLetterQueueArn());
    }

    public Sweeper sweeper() {
        return new Sweeper(lifecycle, concurrencyKeys, chains, store, queue, config.inFlightShards(), SWEEP_PAGE_SIZE,
                config.queuedStaleAfter(), config.visibility().minus(config.lease()).plus(SWEEP_PERIOD));
    }

    /** The sweeper function's service: its sweep and the reconciliation it carries on. */
    public SweeperDuties sweeperDuties() {
        return new SweeperDuties(sweeper(), reconciliation());
    }

    /**
     * The reconciliation: the sweeper carries its runs on, the API starts them. A RUNNING job is stale when its own
     * message had its chance to come back, as the sweeper's rule has it.
     */
    public Reconciliation reconciliation() {
        return new Reconciliation(store, tenants, new DynamoReconcileRunStore(clients.dynamo(), config.tableName()), queue,
                TypePauses.cached(pauses, PAUSES_FRESH_FOR, System::nanoTime),
                new StaleRule(config.reconcileStaleAfter(), config.visibility().minus(config.lease()).plus(SWEEP_PERIOD)),
                new Reconciliation.Settings(RECONCILE_PAGE_SIZE, config.reconcileReadUnitsPerSecond(), RECONCILE_SETTLE), clock);
    }

    /** The backoffs' jitter, for tests of {@link #afterRestore()}. */
    Random jitter() {
        return jitter;
    }

    /**
     * Runs {@code calls} with every SDK request stopped before it is sent (see {@link RequestRehearsal}); answers the
     * requests that got that far. Empty, and nothing run, when these clients cannot rehearse (built elsewhere).
     */
    public List<RequestRehearsal.Rehearsed> rehearse(Runnable calls) {
        if (clients.rehearsal() == null) {
            return List.of();
        }
        return clients.rehearsal().rehearse(calls);
    }

    /**
     * After a SnapStart restore, what must differ between the copies of one snapshot: the jitter's seed, and the
     * credentials fetched before the snapshot (the next call fetches fresh ones). The clients' connections need
     * nothing: priming sends nothing to DynamoDB or SQS, so the snapshot holds no connection to them.
     */
    public void afterRestore() {
        jitter.setSeed(new SecureRandom().nextLong());
        if (clients.credentials() != null) {
            clients.credentials().refresh();
        }
    }

    /** Holder idiom: the container's wiring is built on first use, once, thread-safely. */
    private static final class Container {
        static final Wiring WIRING = new Wiring(Config.from(System.getenv()), Clients.fromEnvironment(),
                JobCatalog.registry(), Clock.systemUTC());
    }
}
