package dev.jobline.local.runner;

import dev.jobline.local.ProvisionOptions;
import dev.jobline.local.TemplateParameters;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How {@link LocalRunner} runs a template.
 *
 * @param template      the SAM template whose functions, events, tables and queues are run
 * @param apiPort       the HTTP API's port on 127.0.0.1 (3000, as {@code sam local start-api}); 0 for a free one
 * @param dynamoPort    dynalite's port (4567, what events/env.json names); 0 for a free one
 * @param sqsPort       ElasticMQ's port (9324, likewise); 0 for a free one
 * @param dynamoEndpoint a DynamoDB to use instead of starting dynalite, or null
 * @param sqsEndpoint   an SQS to use instead of starting ElasticMQ, or null
 * @param dataDir       where dynalite and ElasticMQ keep their data across restarts, or null for memory only
 * @param prefix        the physical-name prefix of the tables and queues ({@code jobline-JobsTable}, ...)
 * @param parameters    template parameter values ({@code sam --parameter-overrides}); a parameter with neither a
 *                      value nor a Default gets a local stand-in
 * @param environment   environment overrides in {@code sam local --env-vars} form: a function's logical id, or
 *                      {@code Parameters} for every function, to variables
 * @param scheduleRate  a rate for every schedule instead of the template's, or null
 * @param disabledEvents event sources not to run, as {@code Function.Event} (as {@code Enabled: false} would)
 * @param defaultTenant the {@code sub} claim of a request that names no identity
 * @param output        live terminal view, plain log lines, or whichever suits stdout
 * @param logFile       where the functions' log lines go; null for stdout when plain, a file when live
 */
public record RunnerOptions(
        Path template,
        int apiPort,
        int dynamoPort,
        int sqsPort,
        URI dynamoEndpoint,
        URI sqsEndpoint,
        Path dataDir,
        String prefix,
        Map<String, String> parameters,
        Map<String, Map<String, String>> environment,
        Duration scheduleRate,
        Set<String> disabledEvents,
        String defaultTenant,
        Output output,
        Path logFile) {

    public static final int API_PORT = 3000;
    public static final int DYNAMO_PORT = 4567;
    public static final int SQS_PORT = 9324;
    public static final String PREFIX = "jobline";
    public static final String DEFAULT_TENANT = "local-dev";

    /** The terminal view, or plain lines. */
    public enum Output { AUTO, LIVE, PLAIN }

    public RunnerOptions {
        if ((dynamoEndpoint == null) != (sqsEndpoint == null)) {
            throw new IllegalArgumentException("give both a DynamoDB and an SQS endpoint, or neither");
        }
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        disabledEvents = disabledEvents == null ? Set.of() : Set.copyOf(disabledEvents);
        output = output == null ? Output.AUTO : output;
    }

    /** The defaults: the usual ports, in memory, template rates, output chosen by whether stdout is a terminal. */
    public static RunnerOptions defaults(Path template) {
        return new RunnerOptions(template, API_PORT, DYNAMO_PORT, SQS_PORT, null, null, null, PREFIX, Map.of(),
                Map.of(), null, Set.of(), DEFAULT_TENANT, Output.AUTO, null);
    }

    public RunnerOptions withTemplate(Path file) {
        return new RunnerOptions(file, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withApiPort(int port) {
        return new RunnerOptions(template, port, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withStackPorts(int newDynamoPort, int newSqsPort) {
        return new RunnerOptions(template, apiPort, newDynamoPort, newSqsPort, dynamoEndpoint, sqsEndpoint, dataDir,
                prefix, parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withEndpoints(URI dynamo, URI sqs) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamo, sqs, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withDataDir(Path dir) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withParameters(Map<String, String> values) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                values, environment, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withEnvironment(Map<String, Map<String, String>> overrides) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, overrides, scheduleRate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withScheduleRate(Duration rate) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, rate, disabledEvents, defaultTenant, output, logFile);
    }

    public RunnerOptions withDisabledEvents(Set<String> events) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, events, defaultTenant, output, logFile);
    }

    public RunnerOptions withDefaultTenant(String tenant) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, tenant, output, logFile);
    }

    public RunnerOptions withOutput(Output newOutput) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, newOutput, logFile);
    }

    public RunnerOptions withLogFile(Path file) {
        return new RunnerOptions(template, apiPort, dynamoPort, sqsPort, dynamoEndpoint, sqsEndpoint, dataDir, prefix,
                parameters, environment, scheduleRate, disabledEvents, defaultTenant, output, file);
    }

    /** How the template's tables and queues are named and parameterised locally. */
    ProvisionOptions provisioning() {
        return ProvisionOptions.defaults().withPrefix(prefix)
                .withParameters(TemplateParameters.withLocalStandIns(template, parameters));
    }

    /** A function's environment: the template's, then {@code Parameters}, then the function's own overrides. */
    Map<String, String> environmentFor(String functionId, Map<String, String> fromTemplate) {
        Map<String, String> env = new LinkedHashMap<>(fromTemplate);
        env.putAll(environment.getOrDefault("Parameters", Map.of()));
        env.putAll(environment.getOrDefault(functionId, Map.of()));
        return env;
    }

    boolean runs(String functionId, String eventName) {
        return !disabledEvents.contains(functionId + "." + eventName);
    }
}
