package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.local.EventSource;
import dev.jobline.local.LocalAws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code Schedule} event of the template: the function is invoked with an EventBridge "Scheduled Event" (or the
 * event's {@code Input}) once per period, the first time one period after the start, as a new rule does. Only
 * {@code rate(...)} expressions are run locally; a run does not overlap the previous one.
 */
final class ScheduleTrigger {
    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");

    private final LambdaFunction function;
    private final EventSource source;
    private final Duration period;
    private final RecentInvocations recent;
    private final ScheduledExecutorService timer;

    ScheduleTrigger(LambdaFunction function, EventSource source, Duration period, RecentInvocations recent) {
        this.function = function;
        this.source = source;
        this.period = period;
        this.recent = recent;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, function.name() + "-" + source.name() + "-schedule");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The period of a {@code rate(...)} expression; empty for {@code cron(...)} and anything else. */
    static Optional<Duration> rate(String expression) {
        Matcher rate = RATE.matcher(expression.trim().toLowerCase(Locale.ROOT));
        if (!rate.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(rate.group(1));
        ChronoUnit unit = switch (rate.group(2)) {
            case "minute", "minutes" -> ChronoUnit.MINUTES;
            case "hour", "hours" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
        return amount > 0 ? Optional.of(Duration.of(amount, unit)) : Optional.empty();
    }

    String description() {
        return function.name() + "." + source.name() + " every " + period.toString().substring(2).toLowerCase(Locale.ROOT)
                + " (" + source.schedule() + ")";
    }

    void start() {
        timer.scheduleAtFixedRate(this::fire, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** No more runs; a run under way goes on. */
    void stop() {
        timer.shutdown();
    }

    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return timer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fire() {
        try {
            Invocation invocation = function.invoke(event(), "Schedule " + source.name());
            recent.add(invocation, invocation.failed() ? "failed" : "ok");
        } catch (RuntimeException e) {
            // an exception would cancel every later run of a fixed-rate task
            dev.jobline.log.Log.error("schedule.failed", e, "function", function.name(), "event", source.name());
        }
    }

    private String event() {
        Object input = source.properties().get("Input");
        if (input != null) {
            return String.valueOf(input);
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", LocalAws.ACCOUNT_ID);
        event.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", LocalAws.REGION);
        event.put("resources", List.of("arn:aws:events:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT_ID + ":rule/"
                + function.name() + source.name()));
        event.put("detail", Map.of());
        try {
            return JSON.std.asString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
