package dev.jobline.api;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobType;
import dev.jobline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A checked submission: every field valid, or a {@link Problem} saying which is not. */
record SubmitRequest(JobType type, String payloadJson, int maxAttempts, int timeoutSeconds) {
    private static final Set<String> FIELDS = Set.of("type", "payload", "maxAttempts", "timeoutSeconds");

    static SubmitRequest parse(String body, JobRegistry registry, int maxPayloadBytes) {
        if (body == null || body.isBlank()) {
            throw Problem.badRequest("invalid-body", "the body must be a JSON object with at least a 'type'");
        }
        Object parsed;
        try {
            parsed = Json.parse(body);
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the body is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw Problem.badRequest("invalid-body", "the body must be a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        for (Object key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                unknown.add(String.valueOf(key));
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.badRequest("unknown-field", "unknown field(s): " + String.join(", ", unknown)
                    + "; a submission has type, payload, maxAttempts and timeoutSeconds").with("fields", List.copyOf(unknown));
        }
        JobType type = type(fields.get("type"), registry);
        String payloadJson = fields.containsKey("payload") ? Json.write(fields.get("payload")) : "null";
        int payloadBytes = payloadJson.getBytes(StandardCharsets.UTF_8).length;
        if (payloadBytes > maxPayloadBytes) {
            throw new Problem(413, "payload-too-large", "The payload is too large",
                    "the payload is " + payloadBytes + " bytes; the limit is " + maxPayloadBytes)
                    .with("limitBytes", maxPayloadBytes);
        }
        int maxAttempts = wholeNumber(fields.get("maxAttempts"), "maxAttempts", 1, JobType.MAX_ATTEMPTS_LIMIT, type.maxAttempts());
        int typeTimeout = (int) Math.max(1, type.timeout().toSeconds());
        int timeoutSeconds = wholeNumber(fields.get("timeoutSeconds"), "timeoutSeconds", 1, typeTimeout, typeTimeout);
        return new SubmitRequest(type, payloadJson, maxAttempts, timeoutSeconds);
    }

    private static JobType type(Object value, JobRegistry registry) {
        if (value == null) {
            throw Problem.badRequest("missing-field", "'type' is required").with("field", "type");
        }
        if (!(value instanceof String name)) {
            throw Problem.badRequest("invalid-field", "'type' must be a string").with("field", "type");
        }
        return registry.find(name).orElseThrow(() -> Problem.badRequest("unknown-job-type",
                        "no job type named '" + abbreviate(name) + "'")
                .with("field", "type")
                .with("knownTypes", registry.all().stream().map(JobType::name).toList()));
    }

    private static int wholeNumber(Object value, String field, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            long number = ((Number) value).longValue();
            if (value instanceof java.math.BigInteger big && big.bitLength() > 63) {
                number = Long.MAX_VALUE;
            }
            if (number >= min && number <= max) {
                return (int) number;
            }
        }
        throw Problem.badRequest("invalid-field", "'" + field + "' must be a whole number from " + min + " to " + max)
                .with("field", field);
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
