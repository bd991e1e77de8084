package dev.jobline.local.runner;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./jobline run | invoke | help}: the command line of the local runner. */
public final class LocalCli {
    private static final String USAGE = """
            usage: ./jobline run [options]                          the whole stack: HTTP API on :3000, queues, schedules
                   ./jobline invoke FUNCTION [-e EVENT] [options]   one invocation, as sam local invoke does
                   ./jobline help

            run:
              --port N                   the HTTP API's port (3000)
              --data-dir DIR             keep tables, jobs and queued messages in DIR across restarts
              --env-vars FILE            environment overrides in sam's format: {"Parameters": {..}, "WorkerFunction": {..}}
              --parameter-overrides 'K=V ...'  template parameter values (one without a Default gets a local stand-in)
              --schedule-rate DURATION   run every schedule at this rate instead of the template's, e.g. 10s
              --disable-event FN.EVENT   leave an event source off, e.g. WorkerFunction.Jobs (repeatable)
              --tenant NAME              the caller of a request that names none (local-dev)
              --plain                    plain log lines even on a terminal
              --dynamodb-port N          dynalite's port (4567)
              --sqs-port N               ElasticMQ's port (9324)
              --dynamodb-endpoint URL    use this DynamoDB and this SQS (e.g. LocalStack's) instead of starting them;
              --sqs-endpoint URL           give both
              --template FILE            the SAM template (template.yaml at the repository root)

            invoke:
              -e, --event FILE           the event, e.g. events/api-submit-job.json ({} without one)
              --env-vars FILE, --parameter-overrides 'K=V ...', --data-dir DIR, --dynamodb-endpoint URL,
              --sqs-endpoint URL, --template FILE
              Uses the stack of a running ./jobline run if one answers on 4567 and 9324, else starts one for the call.
            """;
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private LocalCli() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("jobline: " + e.getMessage());
            System.err.println("./jobline help lists the options");
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("jobline: " + reason(e));
            status = 1;
        }
        System.exit(status);
    }

    /** The message, else the exception's name; and the causes' messages, which often say what to do. */
    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.getClass().getName());
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !reason.toString().contains(cause.getMessage())) {
                reason.append(": ").append(cause.getMessage());
            }
        }
        return reason.toString();
    }

    private static int run(List<String> args) {
        Deque<String> rest = new ArrayDeque<>(args);
        String command = rest.isEmpty() ? "help" : rest.pop();
        switch (command) {
            case "run" -> {
                serve(parse(rest, null));
                return 0;
            }
            case "invoke" -> {
                if (rest.isEmpty() || rest.peek().startsWith("-")) {
                    throw new IllegalArgumentException("invoke needs a function's logical id, e.g. ApiFunction");
                }
                String function = rest.pop();
                Path[] event = new Path[1];
                RunnerOptions options = parse(rest, event);
                return new InvokeCommand(options, function, event[0], System.out, System.err).run();
            }
            case "help", "-h", "--help" -> {
                System.out.print(USAGE);
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown command '" + command + "'");
        }
    }

    /** Runs until Ctrl-C (or any other shutdown), which drains and stops the runner. */
    private static void serve(RunnerOptions options) {
        LocalRunner runner = LocalRunner.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.close();
            stopped.countDown();
        }, "jobline-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param event where {@code -e} goes; null when the command takes no event */
    private static RunnerOptions parse(Deque<String> args, Path[] event) {
        RunnerOptions options = RunnerOptions.defaults(null);
        Path template = null;
        Set<String> disabled = new LinkedHashSet<>();
        Map<String, String> parameters = new LinkedHashMap<>();
        URI dynamoEndpoint = null;
        URI sqsEndpoint = null;
        while (!args.isEmpty()) {
            String option = args.pop();
            switch (option) {
                case "--port" -> options = options.withApiPort(port(value(option, args)));
                case "--data-dir" -> options = options.withDataDir(Path.of(value(option, args)));
                case "--env-vars" -> options = options.withEnvironment(
                        InvokeCommand.environmentFile(existing(value(option, args))));
                case "--schedule-rate" -> options = options.withScheduleRate(duration(value(option, args)));
                case "--disable-event" -> disabled.add(value(option, args));
                case "--parameter-overrides" -> parameters.putAll(parameterOverrides(value(option, args)));
                case "--tenant" -> options = options.withDefaultTenant(value(option, args));
                case "--plain" -> options = options.withOutput(RunnerOptions.Output.PLAIN);
                case "--dynamodb-port" -> options = options.withStackPorts(port(value(option, args)), options.sqsPort());
                case "--sqs-port" -> options = options.withStackPorts(options.dynamoPort(), port(value(option, args)));
                case "--dynamodb-endpoint" -> dynamoEndpoint = URI.create(value(option, args));
                case "--sqs-endpoint" -> sqsEndpoint = URI.create(value(option, args));
                case "--template" -> template = existing(value(option, args));
                case "-e", "--event" -> {
                    if (event == null) {
                        throw new IllegalArgumentException(option + " goes with invoke");
                    }
                    event[0] = Path.of(value(option, args));
                }
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        if ((dynamoEndpoint == null) != (sqsEndpoint == null)) {
            throw new IllegalArgumentException("give --dynamodb-endpoint and --sqs-endpoint together");
        }
        if (dynamoEndpoint != null) {
            options = options.withEndpoints(dynamoEndpoint, sqsEndpoint);
        }
        return options.withTemplate(template != null ? template : findTemplate()).withDisabledEvents(disabled)
                .withParameters(parameters);
    }

    /** sam's forms: {@code Key=Value Key2=Value2} or {@code ParameterKey=Key,ParameterValue=Value}. */
    static Map<String, String> parameterOverrides(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.trim().split("\\s+")) {
            Matcher keyValue = Pattern.compile("ParameterKey=([^,]+),ParameterValue=(.*)").matcher(pair);
            int equals = pair.indexOf('=');
            if (keyValue.matches()) {
                values.put(keyValue.group(1), keyValue.group(2));
            } else if (equals > 0) {
                values.put(pair.substring(0, equals), pair.substring(equals + 1));
            } else {
                throw new IllegalArgumentException("not a parameter override: " + pair + " (Key=Value)");
            }
        }
        return values;
    }

    private static String value(String option, Deque<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.pop();
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("not a port: " + text);
    }

    private static Path existing(String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        return path;
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new IllegalArgumentException("not a duration: " + text + " (e.g. 500ms, 10s, 2m, 1h)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** {@code -Djobline.template} (the ./jobline script sets it), else template.yaml at or above the working directory. */
    private static Path findTemplate() {
        String configured = System.getProperty("jobline.template");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir.resolve("template.yaml");
            }
        }
        throw new IllegalArgumentException("no template.yaml here or above; --template FILE names one");
    }
}
