package dev.jobline.api;

import dev.jobline.job.Job;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyRule;
import dev.jobline.job.KeyScope;
import dev.jobline.job.Priority;
import dev.jobline.json.Json;
import dev.jobline.queue.SqsLimits;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checked submission: every field valid, or a {@link Problem} saying which is not.
 *
 * @param key            the concurrency key it asks for (submitted, or taken from the payload by its type's rule); null: none
 * @param returnExisting on a key held by another job: answer with that job instead of refusing
 * @param dependsOn      the jobs it waits for: job ids, or in a batch flow {@code ref:<name>} of another item; empty: none
 * @param ref            its name within a batch flow, for other items' dependsOn; null: none
 */
record SubmitRequest(JobType type, String payloadJson, int maxAttempts, int timeoutSeconds, Priority priority,
                     int delaySeconds, Instant runAt, String callbackUrl, KeyRequest key, boolean returnExisting,
                     List<String> dependsOn, String ref) {
    static final Set<String> FIELDS = Set.of("type", "payload", "maxAttempts", "timeoutSeconds", "priority",
            "delaySeconds", "runAt", "callbackUrl", "concurrencyKey", "keyScope", "keyTtlSeconds", "onConflict",
            "dependsOn", "ref");
    /** How a dependsOn entry names another item of the same batch flow. */
    static final String REF_PREFIX = "ref:";
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    private static final java.util.regex.Pattern REF = java.util.regex.Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");

    /** A concurrency key asked for: its value, its scope, and for how long at most it is held. */
    record KeyRequest(String value, KeyScope scope, Duration ttl) {
        JobKey heldFrom(Instant now) {
            return new JobKey(value, scope, now.plus(ttl));
        }
    }
    /** SQS holds a message back for at most 15 minutes. */
    static final int MAX_DELAY_SECONDS = (int) SqsLimits.MAX_DELAY.toSeconds();
    /** How far ahead a job may be scheduled. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(365);

    static SubmitRequest parse(String body, JobRegistry registry, int maxPayloadBytes, Instant now) {
        if (body == null || body.isBlank()) {
            throw Problem.badRequest("invalid-body", "the body must be a JSON object with at least a 'type'");
        }
        Object parsed;
        try {
            parsed = Json.parse(body);
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the body is not valid JSON: " + e.getMessage());
        }
        return fromFields(parsed, registry, maxPayloadBytes, now);
    }

    static SubmitRequest fromFields(Object parsed, JobRegistry registry, int maxPayloadBytes, Instant now) {
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw Problem.badRequest("invalid-body", "a submission must be a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        for (Object key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                unknown.add(abbreviate(String.valueOf(key)));
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.badRequest("unknown-field", "unknown field(s): " + String.join(", ", unknown)
                    + "; a submission has " + String.join(", ", new TreeSet<>(FIELDS))).with("fields", List.copyOf(unknown));
        }
        for (Map.Entry<?, ?> field : fields.entrySet()) {
            // a field is given with a value of its type or left out for its default; payload alone may be null
            if (field.getValue() == null && !"payload".equals(field.getKey())) {
                throw Problem.badRequest("invalid-field", "'" + field.getKey() + "' is null: give it a value or leave it out")
                        .with("field", String.valueOf(field.getKey()));
            }
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
        Priority priority = priority(fields.get("priority"));
        int delaySeconds = wholeNumber(fields.get("delaySeconds"), "delaySeconds", 0, MAX_DELAY_SECONDS, 0);
        Instant runAt = runAt(fields.get("runAt"), now);
        if (runAt != null && fields.get("delaySeconds") != null) {
            throw Problem.badRequest("invalid-field", "give either delaySeconds or runAt, not both").with("field", "runAt");
        }
        String callbackUrl = callbackUrl(fields.get("callbackUrl"));
        KeyRequest key = key(fields, type);
        boolean returnExisting = onConflict(fields.get("onConflict"));
        List<String> dependsOn = dependsOn(fields.get("dependsOn"));
        if (!dependsOn.isEmpty() && (runAt != null || delaySeconds > 0)) {
            // a dependent job starts when its parents have succeeded: there is no other time to give it
            throw Problem.badRequest("invalid-field", "a job with dependsOn starts when the jobs it depends on have succeeded: "
                    + "leave out runAt and delaySeconds").with("field", "dependsOn");
        }
        String ref = ref(fields.get("ref"));
        return new SubmitRequest(type, payloadJson, maxAttempts, timeoutSeconds, priority, delaySeconds, runAt, callbackUrl,
                key, returnExisting, dependsOn, ref);
    }

    /**
     * Job ids, or {@code ref:<name>} entries, at most {@link Job#MAX_PARENTS} of them; a repeated entry counts once. An
     * empty list is none: a client generated from openapi.yaml sends one with every submission.
     */
    private static List<String> dependsOn(Object value) {
        if (value == null) {
            return List.of();
        }
        Problem invalid = Problem.badRequest("invalid-field", "'dependsOn' is a list of at most " + Job.MAX_PARENTS
                + " job ids (or, in a batch flow, \"ref:<name>\" of another item)").with("field", "dependsOn");
        if (!(value instanceof List<?> list) || list.size() > Job.MAX_PARENTS) {
            throw invalid;
        }
        java.util.LinkedHashSet<String> parents = new java.util.LinkedHashSet<>();
        for (Object entry : list) {
            if (!(entry instanceof String id) || !(JOB_ID.matcher(id).matches()
                    || id.startsWith(REF_PREFIX) && REF.matcher(id.substring(REF_PREFIX.length())).matches())) {
                throw invalid;
            }
            parents.add(id);
        }
        return List.copyOf(parents);
    }

    private static String ref(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String name) || !REF.matcher(name).matches()) {
            throw Problem.badRequest("invalid-field", "'ref' is 1-64 letters, digits, '_', '.' or '-'").with("field", "ref");
        }
        return name;
    }

    /** Does it name another item of its batch (only a batch flow can)? */
    boolean refersToItems() {
        return ref != null || dependsOn.stream().anyMatch(id -> id.startsWith(REF_PREFIX));
    }

    /**
     * The concurrency key: {@code concurrencyKey} as submitted, else the payload field the type's rule names (a keyed
     * type's job must have it); its scope and TTL as submitted, else the type's. Null for a job without a key.
     */
    private static KeyRequest key(Map<?, ?> fields, JobType type) {
        KeyRule rule = type.keys();
        Object submitted = fields.get("concurrencyKey");
        String value;
        if (submitted != null) {
            if (!(submitted instanceof String text) || text.isEmpty() || text.length() > JobKey.MAX_LENGTH
                    || !text.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                throw Problem.badRequest("invalid-field", "'concurrencyKey' must be a string of 1-" + JobKey.MAX_LENGTH
                        + " characters, none of them a control character").with("field", "concurrencyKey");
            }
            value = (String) submitted;
        } else if (rule.payloadField() != null) {
            Object payload = fields.get("payload");
            Object field = payload instanceof Map<?, ?> object ? object.get(rule.payloadField()) : null;
            if (!(field instanceof String || field instanceof Number) || String.valueOf(field).isEmpty()
                    || String.valueOf(field).length() > JobKey.MAX_LENGTH) {
                throw Problem.badRequest("missing-field", "a '" + type.name() + "' job is keyed by its payload's '"
                        + rule.payloadField() + "': give it as a string or number (or a concurrencyKey)").with("field", "payload");
            }
            value = String.valueOf(field);
        } else {
            // onConflict "reject" is the default: a client generated from openapi.yaml sends it with every submission
            Object onConflict = fields.get("onConflict");
            if (fields.get("keyScope") != null || fields.get("keyTtlSeconds") != null
                    || onConflict != null && !"reject".equals(onConflict)) {
                throw Problem.badRequest("invalid-field", "keyScope, keyTtlSeconds and onConflict returnExisting go with a concurrencyKey")
                        .with("field", "concurrencyKey");
            }
            return null;
        }
        KeyScope scope = rule.scope();
        Object scopeField = fields.get("keyScope");
        if (scopeField != null) {
            scope = scopeField instanceof String label ? KeyScope.fromLabel(label).orElse(null) : null;
            if (scope == null) {
                throw Problem.badRequest("invalid-field", "'keyScope' must be \"queued\" (held while the job waits) or \"active\" "
                        + "(held until it ends; \"untilFinished\" means the same)").with("field", "keyScope");
            }
        }
        int maxTtl = (int) Math.min(Integer.MAX_VALUE, rule.maxTtl().toSeconds());
        int ttl = wholeNumber(fields.get("keyTtlSeconds"), "keyTtlSeconds", 1, maxTtl, (int) rule.defaultTtl().toSeconds());
        return new KeyRequest(value, scope, Duration.ofSeconds(ttl));
    }

    private static boolean onConflict(Object value) {
        if (value == null || "reject".equals(value)) {
            return false;
        }
        if ("returnExisting".equals(value)) {
            return true;
        }
        throw Problem.badRequest("invalid-field", "'onConflict' must be \"reject\" (409 with the job that holds the key) or "
                + "\"returnExisting\" (200 with that job)").with("field", "onConflict");
    }

    /** When the job may first run. */
    Instant dueAt(Instant now) {
        if (runAt != null) {
            return runAt.isAfter(now) ? runAt : now;
        }
        return now.plusSeconds(delaySeconds);
    }

    /** The request in one normal form, so two equal submissions hash the same (runAt is exact). */
    String canonical() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", type.name());
        fields.put("payload", payloadJson);
        fields.put("maxAttempts", maxAttempts);
        fields.put("timeoutSeconds", timeoutSeconds);
        fields.put("priority", priority.label());
        fields.put("delaySeconds", delaySeconds);
        fields.put("runAt", runAt == null ? null : runAt.toString());
        fields.put("callbackUrl", callbackUrl);
        if (!dependsOn.isEmpty()) {
            fields.put("dependsOn", dependsOn);
        }
        if (key != null) {
            fields.put("concurrencyKey", key.value());
            fields.put("keyScope", key.scope().label());
            fields.put("keyTtlSeconds", key.ttl().toSeconds());
        }
        return Json.write(fields);
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

    private static Priority priority(Object value) {
        if (value == null) {
            return Priority.NORMAL;
        }
        if (value instanceof String label) {
            return Priority.fromLabel(label.toLowerCase(Locale.ROOT)).orElseThrow(() -> invalidPriority());
        }
        throw invalidPriority();
    }

    private static Problem invalidPriority() {
        return Problem.badRequest("invalid-field", "'priority' must be \"high\" or \"normal\"").with("field", "priority");
    }

    private static Instant runAt(Object value, Instant now) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw Problem.badRequest("invalid-field", "'runAt' must be an ISO-8601 instant such as 2026-12-01T09:00:00Z").with("field", "runAt");
        }
        try {
            Instant runAt = Instant.parse(text);
            if (runAt.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
                throw Problem.badRequest("invalid-field", "'runAt' may be at most 365 days ahead").with("field", "runAt");
            }
            if (runAt.isBefore(Instant.EPOCH)) {
                // a past runAt means now, but it is stored as epoch milliseconds, which a year far before 1970 overflows
                throw Problem.badRequest("invalid-field", "'runAt' may not be before " + Instant.EPOCH).with("field", "runAt");
            }
            return runAt;
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("invalid-field", "'runAt' must be an ISO-8601 instant such as 2026-12-01T09:00:00Z").with("field", "runAt");
        }
    }

    private static String callbackUrl(Object value) {
        if (value == null) {
            return null;
        }
        Problem invalid = Problem.badRequest("invalid-field", "'callbackUrl' must be an absolute http or https URL of at most 2048 characters")
                .with("field", "callbackUrl");
        if (!(value instanceof String text) || text.length() > 2048) {
            throw invalid;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null) {
                throw invalid;
            }
            return text;
        } catch (URISyntaxException e) {
            throw invalid;
        }
    }

    private static int wholeNumber(Object value, String field, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            boolean fits = !(value instanceof BigInteger big) || big.bitLength() <= 63;
            long number = ((Number) value).longValue();
            if (fits && number >= min && number <= max) {
                return (int) number;
            }
        }
        throw Problem.badRequest("invalid-field", "'" + field + "' must be a whole number from " + min + " to " + max)
                .with("field", field);
    }

    static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
    }
}
