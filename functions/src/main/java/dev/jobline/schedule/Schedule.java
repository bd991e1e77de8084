package dev.jobline.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's recurring schedule, as stored: when it fires ({@code cron} in {@code timeZone}, or {@code rate} counted from
 * {@code anchor}), between {@code startAt} and {@code endAt}, the submission each fire makes a job of ({@code template},
 * the JSON of a POST /jobs body), and what a fire does while the previous job has not ended ({@code overlap}).
 * {@code nextFireAt} is the next fire not yet made (null: none left); {@code version} grows by one on every write.
 * {@code runs} are the latest fires, newest first.
 */
public record Schedule(
        String tenantId,
        String name,
        String scheduleId,
        String cron,
        String timeZone,
        String rate,
        Instant anchor,
        String template,
        Overlap overlap,
        Instant startAt,
        Instant endAt,
        boolean paused,
        Instant nextFireAt,
        Instant createdAt,
        Instant updatedAt,
        long version,
        List<ScheduleRun> runs) {
    /** How many fires a schedule keeps. */
    public static final int KEPT_RUNS = 10;

    public Schedule {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(overlap, "overlap");
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    /** The concurrency key of the schedule's jobs (skip and enqueue). */
    public String key() {
        return "schedule:" + name;
    }

    /** The first fire strictly after {@code after}, within startAt and endAt; empty when none is left. */
    public Optional<Instant> fireAfter(Instant after) {
        Instant from = startAt != null && after.isBefore(startAt) ? startAt.minusMillis(1) : after;
        Optional<Instant> next = rate != null
                ? Optional.of(Rate.parse(rate, Duration.ZERO).next(anchor, from))
                : CronExpression.parse(cron, ZoneId.of(timeZone)).next(from);
        return next.filter(fire -> endAt == null || !fire.isAfter(endAt));
    }

    /** The next {@code count} fire times from {@code nextFireAt}. */
    public List<Instant> upcoming(int count) {
        List<Instant> fires = new ArrayList<>();
        Instant fire = nextFireAt;
        while (fire != null && fires.size() < count) {
            fires.add(fire);
            fire = fireAfter(fire).orElse(null);
        }
        return fires;
    }

    /**
     * The latest fire time from {@code nextFireAt} to {@code now}: what a scheduler that did not run for a while fires,
     * once, for the whole missed period. {@code nextFireAt} itself when no later one is due yet.
     */
    public Instant latestDue(Instant now) {
        Instant fire = nextFireAt;
        // jump close to now first, so a long gap of a frequent cron is not walked fire by fire
        for (Duration window : List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(32), Duration.ofDays(367))) {
            Instant from = now.minus(window);
            if (!from.isAfter(fire)) {
                break;
            }
            Optional<Instant> near = fireAfter(from);
            if (near.isPresent() && !near.get().isAfter(now)) {
                fire = near.get();
                break;
            }
        }
        while (true) {
            Optional<Instant> next = fireAfter(fire);
            if (next.isEmpty() || next.get().isAfter(now)) {
                return fire;
            }
            fire = next.get();
        }
    }

    /** The same schedule after a fire: the next one, the run first among the kept ones, one version on. */
    public Schedule fired(ScheduleRun run, Instant next, Instant now) {
        List<ScheduleRun> kept = new ArrayList<>();
        kept.add(run);
        kept.addAll(runs.subList(0, Math.min(runs.size(), KEPT_RUNS - 1)));
        return new Schedule(tenantId, name, scheduleId, cron, timeZone, rate, anchor, template, overlap, startAt, endAt,
                paused, next, createdAt, now, version + 1, kept);
    }
}
