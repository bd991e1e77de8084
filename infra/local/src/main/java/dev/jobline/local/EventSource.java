package dev.jobline.local;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of a function's Events: its name, its Type ({@code SQS}, {@code Schedule}, {@code HttpApi}, ...) and its
 * Properties with the intrinsics resolved locally. For an SQS event, {@code Queue} is the local queue URL (the
 * template names the queue's ARN). What cannot be resolved locally (e.g. {@code ApiId: !Ref JobsApi}, a resource
 * that is not emulated) stays in its long form ({@code {"Ref": "JobsApi"}}).
 */
public record EventSource(String name, String type, Map<String, Object> properties) {

    public EventSource {
        properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
    }

    /** The local URL of an SQS event's queue. */
    public String queueUrl() {
        requireType("SQS");
        Object queue = properties.get("Queue");
        if (!(queue instanceof String url)) {
            throw new IllegalStateException("event " + name + ": Queue did not resolve to a local queue: " + queue);
        }
        return url;
    }

    /** An SQS event's BatchSize (SAM's default: 10). */
    public int batchSize() {
        requireType("SQS");
        return intProperty("BatchSize").orElse(10);
    }

    /** An SQS event's MaximumBatchingWindowInSeconds (default 0). */
    public int maximumBatchingWindowSeconds() {
        requireType("SQS");
        return intProperty("MaximumBatchingWindowInSeconds").orElse(0);
    }

    /** Whether FunctionResponseTypes has {@code ReportBatchItemFailures}. */
    public boolean reportsBatchItemFailures() {
        Object types = properties.get("FunctionResponseTypes");
        return types instanceof List<?> list && list.contains("ReportBatchItemFailures");
    }

    /** ScalingConfig.MaximumConcurrency of an SQS event, if set. */
    public Optional<Integer> maximumConcurrency() {
        if (properties.get("ScalingConfig") instanceof Map<?, ?> scaling
                && scaling.get("MaximumConcurrency") != null) {
            return Optional.of(Integer.parseInt(String.valueOf(scaling.get("MaximumConcurrency"))));
        }
        return Optional.empty();
    }

    /** A Schedule event's expression, e.g. {@code rate(1 minute)}. */
    public String schedule() {
        requireType("Schedule");
        return String.valueOf(properties.get("Schedule"));
    }

    private Optional<Integer> intProperty(String key) {
        Object value = properties.get(key);
        return value == null ? Optional.empty() : Optional.of(Integer.parseInt(String.valueOf(value)));
    }

    private void requireType(String expected) {
        if (!type.equals(expected)) {
            throw new IllegalStateException("event " + name + " is of type " + type + ", not " + expected);
        }
    }
}
