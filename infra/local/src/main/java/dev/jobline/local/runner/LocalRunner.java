package dev.jobline.local.runner;

import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.local.EventSource;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.local.TemplateParameters;
import dev.jobline.log.Log;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The whole stack in one process, from template.yaml: dynalite and ElasticMQ (or endpoints given), the tables and
 * queues, and each function behind its events: the HTTP API on 127.0.0.1 ({@link HttpApiGateway}), each SQS event
 * source ({@link SqsEventSourcePoller}), each schedule ({@link ScheduleTrigger}). Output is a live terminal view
 * ({@link TerminalView}) with the functions' log lines in a file, or the log lines themselves when stdout is not a
 * terminal.
 *
 * <p>{@link #close()} stops cleanly: no new requests, receives or runs; the invocations under way finish (each is
 * bounded by its function's Timeout) and their deletes are done; then the stack stops, so nothing is half-written.
 */
public final class LocalRunner implements AutoCloseable {
    /** Beyond a function's Timeout: its deletes and the HTTP answer. */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

    private final RunnerOptions options;
    private final LocalAws aws;
    private final LocalResources resources;
    private final Output output;
    private final RecentInvocations recent = new RecentInvocations();
    private final Map<String, LambdaFunction> functions = new LinkedHashMap<>();
    private final List<SqsEventSourcePoller> pollers = new ArrayList<>();
    private final List<ScheduleTrigger> schedules = new ArrayList<>();
    private HttpApiGateway gateway;
    private TerminalView view;
    private boolean serving;
    private boolean closed;

    private LocalRunner(RunnerOptions options, LocalAws aws, LocalResources resources, Output output) {
        this.options = options;
        this.aws = aws;
        this.resources = resources;
        this.output = output;
    }

    /** Starts the stack, provisions the template and serves its functions; close it to stop. */
    public static LocalRunner start(RunnerOptions options) {
        Output output = Output.open(options);
        LocalAws aws = null;
        try {
            aws = stack(options);
            LocalResources resources = aws.provision(options.template(), options.provisioning());
            LocalRunner runner = new LocalRunner(options, aws, resources, output);
            try {
                runner.serve();
                return runner;
            } catch (RuntimeException e) {
                runner.close();
                throw e;
            }
        } catch (RuntimeException e) {
            if (aws != null && !aws.isClosed()) {
                aws.close();
            }
            output.close();
            throw e;
        }
    }

    private static LocalAws stack(RunnerOptions options) {
        if (options.dynamoEndpoint() != null) {
            return LocalAws.connect(options.dynamoEndpoint(), options.sqsEndpoint());
        }
        LocalAws.Options stack = LocalAws.Options.defaults()
                .withPorts(options.dynamoPort(), options.sqsPort())
                // this runner stops the stack itself, after draining
                .withStopOnJvmExit(false);
        if (options.dataDir() != null) {
            stack = stack.withDataDir(options.dataDir());
        }
        try {
            return LocalAws.start(stack);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the local stack on ports " + options.dynamoPort() + " (DynamoDB) and "
                    + options.sqsPort() + " (SQS): " + e.getMessage()
                    + " (is another runner using them? --dynamodb-port/--sqs-port pick others, or pass "
                    + "--dynamodb-endpoint/--sqs-endpoint to use that stack)", e);
        }
    }

    /** A function of the template, wired to this stack with its own environment (and the overrides given). */
    static LambdaFunction loadFunction(RunnerOptions options, LocalAws aws, LocalResources resources, String id,
            PrintStream log) {
        Clients clients = new Clients(aws.dynamoClient(), aws.sqsClient());
        Map<String, String> env = new LinkedHashMap<>(resources.environment(id));
        // what Lambda itself puts in every function's environment (the cost model reads the memory size)
        env.putIfAbsent("AWS_LAMBDA_FUNCTION_NAME", id);
        env.putIfAbsent(Config.MEMORY_SIZE, Integer.toString(resources.function(id).memorySize()));
        return LambdaFunction.load(resources.function(id), () -> new Wiring(
                Config.from(options.environmentFor(id, env)), clients,
                JobCatalog.registry(), Clock.systemUTC()), log);
    }

    private void serve() {
        for (String id : resources.functions().keySet()) {
            functions.put(id, loadFunction(options, aws, resources, id, output.log));
        }
        List<HttpApiRoute> routes = new ArrayList<>();
        for (LambdaFunction function : functions.values()) {
            for (EventSource event : function.definition().events().values()) {
                if (!enabled(function, event)) {
                    continue;
                }
                switch (event.type()) {
                    case "HttpApi" -> routes.add(HttpApiRoute.of(event, function));
                    case "SQS" -> pollers.add(new SqsEventSourcePoller(function, event, aws.sqsClient(), recent));
                    case "Schedule", "ScheduleV2" -> schedule(function, event);
                    default -> Log.warn("runner.event_not_emulated", "function", function.name(),
                            "event", event.name(), "type", event.type());
                }
            }
        }
        if (!routes.isEmpty()) {
            gateway = HttpApiGateway.start(options.apiPort(), routes, new LocalIdentity(options.defaultTenant()), recent);
        }
        pollers.forEach(SqsEventSourcePoller::start);
        schedules.forEach(ScheduleTrigger::start);
        Map<String, String> standIns = TemplateParameters.standIns(options.template(), options.parameters());
        if (!standIns.isEmpty()) {
            Log.warn("runner.parameter_stand_ins", "parameters", String.join(", ", standIns.keySet()),
                    "reason", "no Default and no --parameter-overrides value: local stand-ins, not secrets");
        }
        List<String> header = header();
        Log.info("runner.started", "api", gateway == null ? null : gateway.url(), "dynamodb", aws.dynamoEndpoint(),
                "sqs", aws.sqsEndpoint(), "dataDir", options.dataDir(),
                "routes", routes.stream().map(HttpApiRoute::routeKey).collect(Collectors.joining(", ")),
                "eventSources", pollers.stream().map(SqsEventSourcePoller::description).collect(Collectors.joining("; ")),
                "schedules", schedules.stream().map(ScheduleTrigger::description).collect(Collectors.joining("; ")));
        if (output.live) {
            view = new TerminalView(output.terminal, header, this::status, recent);
            view.start();
        } else if (output.logFile == null) {
            // the log lines own stdout; the human summary goes beside them
            header.forEach(System.err::println);
        }
        serving = true;
    }

    private boolean enabled(LambdaFunction function, EventSource event) {
        Object enabled = event.properties().get("Enabled");
        Object state = event.properties().get("State");
        boolean inTemplate = !"false".equalsIgnoreCase(String.valueOf(enabled))
                && !"DISABLED".equalsIgnoreCase(String.valueOf(state));
        return inTemplate && options.runs(function.name(), event.name());
    }

    private void schedule(LambdaFunction function, EventSource event) {
        Optional<Duration> rate = ScheduleTrigger.rate(event.schedule());
        if (rate.isEmpty()) {
            Log.warn("runner.schedule_not_emulated", "function", function.name(), "event", event.name(),
                    "schedule", event.schedule(), "reason", "only rate(...) expressions run locally");
            return;
        }
        Duration period = options.scheduleRate() != null ? options.scheduleRate() : rate.get();
        schedules.add(new ScheduleTrigger(function, event, period, recent));
    }

    private List<String> header() {
        List<String> lines = new ArrayList<>();
        lines.add("Jobline local stack  -  Ctrl-C stops it (invocations under way finish first)");
        if (gateway != null) {
            lines.add(String.format("API       %s   %s", gateway.url(), gateway.routes().stream()
                    .map(HttpApiRoute::routeKey).collect(Collectors.joining(", "))));
            lines.add("          caller: Authorization: Bearer <JWT, unverified>, X-Jobline-Tenant: <tenant>, else '"
                    + options.defaultTenant() + "'");
        }
        lines.add(String.format("DynamoDB  %s   %s", aws.dynamoEndpoint(), String.join(", ", resources.tableNames().values())));
        lines.add(String.format("SQS       %s   %s", aws.sqsEndpoint(), resources.queueUrls().values().stream()
                .map(url -> url.substring(url.lastIndexOf('/') + 1)).collect(Collectors.joining(", "))));
        pollers.forEach(poller -> lines.add("Events    " + poller.description()));
        schedules.forEach(schedule -> lines.add("Schedule  " + schedule.description()));
        lines.add("Data      " + (options.dynamoEndpoint() != null ? "kept by the endpoints given"
                : options.dataDir() != null ? options.dataDir().toAbsolutePath() + " (kept across restarts)"
                : "in memory, gone when stopped (--data-dir DIR keeps it)"));
        if (output.logFile != null) {
            lines.add("Logs      " + output.logFile.toAbsolutePath());
        }
        return lines;
    }

    public URI apiUrl() {
        if (gateway == null) {
            throw new IllegalStateException("the template has no HttpApi event");
        }
        return gateway.url();
    }

    public LocalAws aws() {
        return aws;
    }

    public LocalResources resources() {
        return resources;
    }

    public RecentInvocations invocations() {
        return recent;
    }

    /** Jobs by status, running jobs' progress, queue depths: what the terminal view shows. */
    public StackStatus status() {
        String table = resources.tableNames().getOrDefault("JobsTable",
                resources.tableNames().values().stream().findFirst().orElse(null));
        if (table == null) {
            return new StackStatus(Map.of(), List.of(), 0, List.of(), List.of(), List.of());
        }
        return StackStatus.read(aws.dynamoClient(), table, resources.tableNames().get("SchedulesTable"), aws.sqsClient(),
                resources.queueUrls());
    }

    /** Stops taking work, lets the invocations under way finish, then stops the stack. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int busy = pollers.stream().mapToInt(SqsEventSourcePoller::inFlight).sum();
        if (view != null) {
            view.notice("Stopping: " + busy + " batch invocation(s) under way finish first; the stack stops after them");
        }
        Log.info("runner.stopping", "batchesInFlight", busy);
        pollers.forEach(SqsEventSourcePoller::stopReceiving);
        schedules.forEach(ScheduleTrigger::stop);
        if (gateway != null) {
            gateway.stop(longestTimeout());
        }
        long deadline = System.nanoTime() + longestTimeout().plus(DRAIN_MARGIN).toNanos();
        boolean drained = true;
        try {
            for (SqsEventSourcePoller poller : pollers) {
                drained &= poller.awaitStopped(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            for (ScheduleTrigger schedule : schedules) {
                drained &= schedule.awaitStopped(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        String summary = null;
        try {
            summary = TerminalView.summary(status());
        } catch (RuntimeException e) {
            // the stack may be gone already (endpoints given)
        }
        functions.values().forEach(LambdaFunction::close);
        if (view != null) {
            view.close();
        }
        Log.info("runner.stopped", "drained", drained, "summary", summary);
        output.close();
        String stopped = "Stopped" + (drained ? "" : " (some invocations did not finish in time; their messages come "
                + "back after the visibility timeout)") + (summary == null ? "" : ". " + summary)
                + (options.dataDir() != null ? ". Data kept in " + options.dataDir().toAbsolutePath() : "");
        try {
            aws.close();
        } finally {
            if (serving && output.live) {
                output.terminal.println(stopped);
            } else if (serving && output.logFile == null) {
                System.err.println(stopped);
            }
        }
    }

    private Duration longestTimeout() {
        return functions.values().stream().map(LambdaFunction::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Where things are written. Live: the view on the terminal; the functions' log lines, and anything else printed
     * to stdout or stderr, in a file. Plain: log lines on stdout, or in the file given.
     */
    private static final class Output {
        final boolean live;
        final PrintStream terminal;
        final PrintStream log;
        final Path logFile;
        private final PrintStream stdout = System.out;
        private final PrintStream stderr = System.err;

        private Output(boolean live, PrintStream terminal, PrintStream log, Path logFile) {
            this.live = live;
            this.terminal = terminal;
            this.log = log;
            this.logFile = logFile;
        }

        static Output open(RunnerOptions options) {
            boolean live = switch (options.output()) {
                case LIVE -> true;
                case PLAIN -> false;
                case AUTO -> TerminalView.available();
            };
            PrintStream terminal = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
            Path logFile = options.logFile();
            if (logFile == null && live) {
                logFile = options.dataDir() != null ? options.dataDir().resolve("jobline.log") : temporaryLog();
            }
            PrintStream log = logFile == null ? System.out : append(logFile);
            Output output = new Output(live, terminal, log, logFile);
            Log.redirect(log);
            if (live) {
                // stray output (SDK warnings, stack traces) would tear the view: it goes to the log file too
                System.setOut(log);
                System.setErr(log);
            }
            return output;
        }

        private static Path temporaryLog() {
            try {
                return Files.createTempFile("jobline-", ".log");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a log file", e);
            }
        }

        private static PrintStream append(Path file) {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return new PrintStream(out, true, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the log file " + file, e);
            }
        }

        void close() {
            System.setOut(stdout);
            System.setErr(stderr);
            Log.redirect(stdout);
            if (log != stdout) {
                log.flush();
                if (logFile != null) {
                    log.close();
                }
            }
        }
    }
}
