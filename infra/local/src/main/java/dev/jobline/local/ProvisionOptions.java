package dev.jobline.local;

import java.util.Map;

/**
 * How {@link LocalAws#provision(java.nio.file.Path, ProvisionOptions)} names and parameterises the resources.
 *
 * @param prefix     the physical-name prefix ({@code <prefix>-<LogicalId>}); null for a fresh unique one. With an
 *                   explicit prefix, tables that already exist (e.g. in a persistent dynalite directory) are reused
 * @param stackName  what {@code AWS::StackName} resolves to
 * @param parameters template parameter values, overriding the parameters' Defaults
 */
public record ProvisionOptions(String prefix, String stackName, Map<String, String> parameters) {

    public static final String DEFAULT_STACK_NAME = "jobline-local";

    public ProvisionOptions {
        if (prefix != null && !prefix.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new IllegalArgumentException("prefix must be 1 to 40 of [A-Za-z0-9_-]: " + prefix);
        }
        stackName = stackName == null ? DEFAULT_STACK_NAME : stackName;
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** A unique prefix, the default stack name, the parameters' Defaults. */
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
