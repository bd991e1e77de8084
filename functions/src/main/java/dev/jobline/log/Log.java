package dev.jobline.log;

import dev.jobline.json.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured logs: one JSON object a line, with the invocation's context (function, request id)
 * and whatever fields the call names, so every line about a job carries its jobId.
 *
 * <p>The lines follow Lambda's JSON log format for application logs written to stdout ({@code LogFormat: JSON} in
 * template.yaml): a {@code timestamp} in RFC 3339 and a {@code level}, so Lambda keeps them as structured records
 * and filters them by ApplicationLogLevel; every other key stays a top-level field for CloudWatch Logs Insights.
 * Lambda's own logger (context.getLogger()) cannot do that: its JSON lines carry only timestamp, level, message and
 * AWSRequestId, and the job's keys would be text inside message. infra/bench/README.md has the measurements.
 */
public final class Log {
    private static final ThreadLocal<Map<String, Object>> CONTEXT = ThreadLocal.withInitial(LinkedHashMap::new);
    private static volatile PrintStream out = System.out;

    private Log() {
    }

    /** Fields added to every line this thread logs until {@link #clearContext()}. */
    public static void putContext(String key, Object value) {
        if (value != null) {
            CONTEXT.get().put(key, value);
        }
    }

    public static Map<String, Object> context() {
        return Map.copyOf(CONTEXT.get());
    }

    public static void restoreContext(Map<String, Object> fields) {
        CONTEXT.get().clear();
        CONTEXT.get().putAll(fields);
    }

    public static void clearContext() {
        CONTEXT.get().clear();
    }

    public static void info(String event, Object... keyValues) {
        write("INFO", event, null, keyValues);
    }

    public static void warn(String event, Object... keyValues) {
        write("WARN", event, null, keyValues);
    }

    public static void error(String event, Throwable cause, Object... keyValues) {
        write("ERROR", event, cause, keyValues);
    }

    /** For tests and the local runner: where lines go. */
    public static void redirect(PrintStream target) {
        out = target;
    }

    private static void write(String level, String event, Throwable cause, Object... keyValues) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("event", event);
        line.putAll(CONTEXT.get());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            if (value != null) {
                line.put(String.valueOf(keyValues[i]), value instanceof Number || value instanceof Boolean ? value : String.valueOf(value));
            }
        }
        if (cause != null) {
            line.put("exception", cause.getClass().getName());
            line.put("exceptionMessage", String.valueOf(cause.getMessage()));
        }
        writeLine(Json.write(line));
    }

    /** Writes one finished line where log lines go (the metrics' EMF lines go the same way). */
    public static void writeLine(String text) {
        PrintStream target = out;
        synchronized (target) {
            target.println(text);
        }
    }
}
