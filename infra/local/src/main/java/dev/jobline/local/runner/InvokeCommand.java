package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code sam local invoke}, without Docker: one function of the template, invoked once with an event file, against
 * the local stack. That is the stack of a running {@code ./jobline run} when one answers on the usual ports, the
 * endpoints given, or else a stack started for this one call (in memory, or in a data directory). The response goes
 * to stdout, the function's log lines to stderr; the exit status is 1 when the function failed or timed out.
 */
final class InvokeCommand {
    private final RunnerOptions options;
    private final String functionId;
    private final Path eventFile;
    private final PrintStream out;
    private final PrintStream err;

    InvokeCommand(RunnerOptions options, String functionId, Path eventFile, PrintStream out, PrintStream err) {
        this.options = options;
        this.functionId = functionId;
        this.eventFile = eventFile;
        this.out = out;
        this.err = err;
    }

    int run() {
        String event = event();
        Log.redirect(err);
        try (LocalAws aws = stack()) {
            LocalResources resources = aws.provision(options.template(), options.provisioning());
            if (!resources.functions().containsKey(functionId)) {
                err.println("no function " + functionId + " in " + options.template() + "; functions: "
                        + resources.functions().keySet());
                return 2;
            }
            try (LambdaFunction function = LocalRunner.loadFunction(options, aws, resources, functionId, err)) {
                Invocation invocation = function.invoke(event, "invoke");
                err.printf("REPORT RequestId: %s  Duration: %d ms  Function: %s%n", invocation.requestId(),
                        invocation.duration().toMillis(), functionId);
                out.println(invocation.failed() ? invocation.error() : invocation.response());
                return invocation.failed() ? 1 : 0;
            }
        } finally {
            Log.redirect(System.out);
        }
    }

    private String event() {
        if (eventFile == null) {
            return "{}";
        }
        Path file = Files.exists(eventFile) ? eventFile : options.template().toAbsolutePath().getParent().resolve(eventFile);
        try {
            String json = Files.readString(file, StandardCharsets.UTF_8);
            JSON.std.anyFrom(json);   // a readable complaint now rather than a deserialization error later
            return json;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the event " + eventFile + ": " + e.getMessage(), e);
        }
    }

    private LocalAws stack() {
        if (options.dynamoEndpoint() != null) {
            return LocalAws.connect(options.dynamoEndpoint(), options.sqsEndpoint());
        }
        if (options.dataDir() == null && answers(options.dynamoPort()) && answers(options.sqsPort())) {
            URI dynamo = URI.create("http://127.0.0.1:" + options.dynamoPort());
            URI sqs = URI.create("http://127.0.0.1:" + options.sqsPort());
            err.println("Using the running local stack: DynamoDB " + dynamo + ", SQS " + sqs);
            return LocalAws.connect(dynamo, sqs);
        }
        LocalAws.Options stack = LocalAws.Options.defaults();
        if (options.dataDir() != null) {
            stack = stack.withDataDir(options.dataDir());
        }
        err.println("Starting a local stack for this invocation" + (options.dataDir() == null ? " (in memory)"
                : " (data in " + options.dataDir() + ")"));
        return LocalAws.start(stack);
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The {@code --env-vars} file of sam local: {@code {"Parameters": {...}, "FunctionId": {...}}}. */
    static Map<String, Map<String, String>> environmentFile(Path file) {
        try {
            Map<String, Object> document = JSON.std.mapFrom(Files.readString(file, StandardCharsets.UTF_8));
            Map<String, Map<String, String>> environment = new java.util.LinkedHashMap<>();
            document.forEach((scope, variables) -> {
                if (!(variables instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(file + ": \"" + scope + "\" must map variable names to values");
                }
                Map<String, String> values = new java.util.LinkedHashMap<>();
                map.forEach((name, value) -> values.put(String.valueOf(name), String.valueOf(value)));
                environment.put(scope, values);
            });
            return environment;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the environment file " + file, e);
        }
    }
}
