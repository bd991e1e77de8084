package dev.jobline.local;

import java.util.HashMap;
import java.util.Map;

/**
 * How {@link LocalAws#provision(java.nio.file.Path, ProvisionOptions)} names and parameterises the resources.
 *
 * @param prefix     the physical-name prefix ({@code <prefix>-<LogicalId>}); null for a fresh unique one. With an
 *                   explicit prefix, tables that already exist (e.g. in a persistent dynalite directory) are reused
 * @param stackName  what {@code AWS::StackName} resolves to
 * @param parameters template parameter values, overriding the parameters' Defaults; {@link #LOCAL_STAND_INS} fill in
 *                   for the ones given no value here
 */
public record ProvisionOptions(String prefix, String stackName, Map<String, String> parameters) {

    public static final String DEFAULT_STACK_NAME = "jobline-local";

    /**
     * Values for the template's parameters that a deploy must pass (they have no Default, on purpose), so that a local
     * stack can resolve every function's environment: the tests, the local runner and the benchmarks all read them.
     * Public, fixed, and local only: never deploy with them. A parameter a template does not have is ignored.
     */
    public static final Map<String, String> LOCAL_STAND_INS = Map.of(
            "WebhookSigningKey", "local-only-webhook-signing-key-never-deploy");

    public ProvisionOptions {
        if (prefix != null && !prefix.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new IllegalArgumentException("prefix must be 1 to 40 of [A-Za-z0-9_-]: " + prefix);
        }
        stackName = stackName == null ? DEFAULT_STACK_NAME : stackName;
        Map<String, String> values = new HashMap<>(LOCAL_STAND_INS);
        if (parameters != null) {
            values.putAll(parameters);
        }
        parameters = Map.copyOf(values);
    }

    /** A unique prefix, the default stack name, the parameters' Defaults (and the local stand-ins). */
    public static ProvisionOptions defaults() {
        return new ProvisionOptions(null, null, null);
    }

    public ProvisionOptions withPrefix(String newPrefix) {
        return new ProvisionOptions(newPrefix, stackName, parameters);
    }

    public ProvisionOptions withStackName(String newStackName) {
        return new ProvisionOptions(prefix, newStackName, parameters);
    }

    public ProvisionOptions withParameters(Map<String, String> newParameters) {
        return new ProvisionOptions(prefix, stackName, newParameters);
    }
}
