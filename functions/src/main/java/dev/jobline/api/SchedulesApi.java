package dev.jobline.api;

import dev.jobline.job.JobRegistry;
import dev.jobline.json.Json;
import dev.jobline.schedule.CronExpression;
import dev.jobline.schedule.Overlap;
import dev.jobline.schedule.Rate;
import dev.jobline.schedule.Schedule;
import dev.jobline.schedule.ScheduleRun;
import dev.jobline.store.JobStore;
import dev.jobline.store.ScheduleStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The tenant's recurring schedules: create, list, read (next fire times, last runs with their jobs), change (pause,
 * resume, timing, template, overlap) and delete. Tenant-scoped as jobs are: another tenant's schedule is not found.
 * Every change is a write conditional on the version read; the scheduler's moves are such writes too.
 */
public final class SchedulesApi {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
    private static final Set<String> FIELDS = Set.of("name", "cron", "timeZone", "rate", "job", "overlap", "startAt", "endAt",
            "paused");
    private static final int MAX_PAGE = 100;
    private static final int DEFAULT_FIRES = 5;
    private static final int MAX_FIRES = 50;
    /** How long ahead a schedule may start. */
    private static final Duration MAX_START_AHEAD = Duration.ofDays(366);
    /** Tries of a change that meets the scheduler's concurrent move. */
    private static final int CHANGE_TRIES = 3;

    private final ScheduleStore schedules;
    private final JobStore jobs;
    private final JobRegistry registry;
    private final int maxPayloadBytes;
    private final Duration shortestRate;
    private final Clock clock;

    public SchedulesApi(ScheduleStore schedules, JobStore jobs, JobRegistry registry, int maxPayloadBytes, Duration shortestRate,
                 Clock clock) {
        this.schedules = schedules;
        this.jobs = jobs;
        this.registry = registry;
        this.maxPayloadBytes = maxPayloadBytes;
        this.shortestRate = shortestRate;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/schedules", Route.Access.TENANT, (request, path) -> create(request)),
                new Route("GET", "/schedules", Route.Access.TENANT, (request, path) -> list(request)),
                new Route("GET", "/schedules/{name}", Route.Access.TENANT, (request, path) -> get(request, path.get("name"))),
                new Route("PATCH", "/schedules/{name}", Route.Access.TENANT, (request, path) -> change(request, path.get("name"))),
                new Route("DELETE", "/schedules/{name}", Route.Access.TENANT, (request, path) -> delete(request, path.get("name"))));
    }

    private HttpResponse create(HttpRequest request) {
        Map<?, ?> fields = body(request);
        Object name = fields.get("name");
        if (name == null) {
            throw Problem.badRequest("missing-field", "'name' is required").with("field", "name");
        }
        String checked = name(name);
        // as stored: the answer shows the times a later read will
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (fields.get("job") == null) {
            throw Problem.badRequest("missing-field", "'job' is required: the submission each fire makes a job of").with("field", "job");
        }
        Schedule draft = new Schedule(request.tenantId(), checked, UUID.randomUUID().toString(), null, null, null, null, "{}",
                Overlap.SKIP, null, null, false, null, now, now, 1, List.of());
        Schedule schedule = applied(draft, fields, now, true);
        if (!schedules.create(schedule)) {
            throw new Problem(409, "schedule-exists", "A schedule by this name exists",
                    "the tenant has a schedule named '" + checked + "'; change it with PATCH or delete it first");
        }
        return HttpResponse.json(201, view(schedule, DEFAULT_FIRES)).withHeader("location", selfLink(checked));
    }

    private HttpResponse list(HttpRequest request) {
        int limit = 20;
        String limitParameter = request.queryParameter("limit");
        if (limitParameter != null) {
            try {
                limit = Integer.parseInt(limitParameter.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw Problem.badRequest("invalid-parameter", "limit must be a whole number from 1 to " + MAX_PAGE).with("field", "limit");
            }
        }
        ScheduleStore.SchedulePage page = schedules.list(request.tenantId(), limit, request.queryParameter("cursor"));
        Map<String, Object> answer = new LinkedHashMap<>();
        List<Object> views = new ArrayList<>();
        for (Schedule schedule : page.schedules()) {
            views.add(view(schedule, 1));
        }
        answer.put("schedules", views);
        if (page.nextCursor() != null) {
            answer.put("nextCursor", page.nextCursor());
        }
        return HttpResponse.json(200, answer);
    }

    private HttpResponse get(HttpRequest request, String name) {
        int fires = DEFAULT_FIRES;
        String firesParameter = request.queryParameter("fires");
        if (firesParameter != null) {
            try {
                fires = Integer.parseInt(firesParameter.trim());
            } catch (NumberFormatException e) {
                fires = -1;
            }
            if (fires < 1 || fires > MAX_FIRES) {
                throw Problem.badRequest("invalid-parameter", "fires must be a whole number from 1 to " + MAX_FIRES).with("field", "fires");
            }
        }
        Schedule schedule = find(request.tenantId(), name);
        Map<String, Object> view = view(schedule, fires);
        // each run's job as it is now: how the fire turned out
        for (Object entry : (List<?>) view.get("lastRuns")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> run = (Map<String, Object>) entry;
            Object jobId = run.get("jobId");
            if (jobId != null) {
                jobs.find((String) jobId).ifPresent(job -> run.put("jobStatus", job.status().name()));
            }
        }
        return HttpResponse.json(200, view);
    }

    private HttpResponse change(HttpRequest request, String name) {
        Map<?, ?> fields = body(request);
        if (fields.containsKey("name") && !name(fields.get("name")).equals(name)) {
            throw Problem.badRequest("invalid-field", "a schedule's name cannot change: create another one").with("field", "name");
        }
        for (int tries = 0; tries < CHANGE_TRIES; tries++) {
            Schedule current = find(request.tenantId(), name);
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Schedule changed = applied(current, fields, now, false);
            if (schedules.replace(changed, current.version())) {
                return HttpResponse.json(200, view(changed, DEFAULT_FIRES));
            }
        }
        throw new Problem(409, "schedule-changed", "The schedule changed while it was being changed",
                "the schedule was moved on by its fires meanwhile; send the change again").withHeader("retry-after", "1");
    }

    private HttpResponse delete(HttpRequest request, String name) {
        name(name);
        if (!schedules.delete(request.tenantId(), name)) {
            throw notFound(name);
        }
        return new HttpResponse(204, Map.of(), null);
    }

    private Schedule find(String tenantId, String name) {
        name(name);
        return schedules.find(tenantId, name).orElseThrow(() -> notFound(name));
    }

    private static Problem notFound(String name) {
        return Problem.notFound("no schedule named '" + SubmitRequest.abbreviate(name) + "'");
    }

    /**
     * The schedule with the given fields applied and checked; its next fire computed again when its timing changed or it
     * was resumed (fires missed while paused are not made).
     */
    private Schedule applied(Schedule current, Map<?, ?> fields, Instant now, boolean creating) {
        Set<String> unknown = new TreeSet<>();
        for (Object key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                unknown.add(SubmitRequest.abbreviate(String.valueOf(key)));
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.badRequest("unknown-field", "unknown field(s): " + String.join(", ", unknown) + "; a schedule has "
                    + String.join(", ", new TreeSet<>(FIELDS))).with("fields", List.copyOf(unknown));
        }
        String cron = current.cron();
        String timeZone = current.timeZone();
        String rate = current.rate();
        boolean timing = creating;
        if (creating && fields.get("cron") == null && fields.get("rate") == null) {
            throw Problem.badRequest("invalid-field", "give either 'cron' (five fields, with an optional 'timeZone') or 'rate' "
                    + "(such as \"5 minutes\")").with("field", "cron");
        }
        if (fields.containsKey("cron") || fields.containsKey("rate") || fields.containsKey("timeZone")) {
            timing = true;
            boolean hasCron = fields.get("cron") != null;
            boolean hasRate = fields.get("rate") != null;
            if (hasCron == hasRate && (creating || hasCron)) {
                throw Problem.badRequest("invalid-field", "give either 'cron' (five fields, with an optional 'timeZone') or 'rate' "
                        + "(such as \"5 minutes\"), not " + (hasCron ? "both" : "neither")).with("field", hasCron ? "rate" : "cron");
            }
            if (hasCron) {
                cron = text(fields.get("cron"), "cron", 128);
                rate = null;
                timeZone = fields.get("timeZone") == null ? (current.timeZone() == null ? "UTC" : current.timeZone())
                        : zone(fields.get("timeZone"));
            } else if (hasRate) {
                rate = text(fields.get("rate"), "rate", 32);
                cron = null;
                if (fields.get("timeZone") != null) {
                    throw Problem.badRequest("invalid-field", "a rate counts real time: 'timeZone' goes with 'cron'").with("field", "timeZone");
                }
                timeZone = null;
            } else {
                // only the time zone changes
                if (cron == null) {
                    throw Problem.badRequest("invalid-field", "a rate counts real time: 'timeZone' goes with 'cron'").with("field", "timeZone");
                }
                timeZone = zone(fields.get("timeZone"));
            }
        }
        Instant anchor = current.anchor();
        try {
            if (cron != null) {
                CronExpression.parse(cron, ZoneId.of(timeZone));
            } else if (timing) {
                Rate.parse(rate, shortestRate);
            }
        } catch (CronExpression.Invalid e) {
            throw Problem.badRequest("invalid-field", e.getMessage()).with("field", cron != null ? "cron" : "rate");
        }
        Overlap overlap = current.overlap();
        if (fields.containsKey("overlap")) {
            Object label = fields.get("overlap");
            overlap = label instanceof String text ? Overlap.fromLabel(text).orElse(null) : null;
            if (overlap == null) {
                throw Problem.badRequest("invalid-field", "'overlap' is \"skip\" (no fire while the previous job waits or runs), "
                        + "\"enqueue\" (a fire while it runs waits its turn) or \"allow\"").with("field", "overlap");
            }
        }
        String template = current.template();
        if (fields.containsKey("job") || fields.containsKey("overlap")) {
            Object job = fields.containsKey("job") ? fields.get("job") : Json.parseStored(current.template());
            template = JobTemplate.parse(job, overlap, registry, maxPayloadBytes, now).json();
        }
        Instant startAt = fields.containsKey("startAt") ? instant(fields.get("startAt"), "startAt", now) : current.startAt();
        Instant endAt = fields.containsKey("endAt") ? instant(fields.get("endAt"), "endAt", now) : current.endAt();
        timing |= fields.containsKey("startAt") || fields.containsKey("endAt");
        if (startAt != null && startAt.isAfter(now.plus(MAX_START_AHEAD))) {
            throw Problem.badRequest("invalid-field", "'startAt' may be at most 366 days ahead").with("field", "startAt");
        }
        if (endAt != null && (!endAt.isAfter(now) || startAt != null && !endAt.isAfter(startAt))) {
            throw Problem.badRequest("invalid-field", "'endAt' must be after now and after 'startAt'").with("field", "endAt");
        }
        boolean paused = current.paused();
        if (fields.containsKey("paused")) {
            if (!(fields.get("paused") instanceof Boolean flag)) {
                throw Problem.badRequest("invalid-field", "'paused' is true or false").with("field", "paused");
            }
            timing |= paused && !flag;   // a resume: the next fire from now on
            paused = flag;
        }
        if (rate != null && (timing && (fields.containsKey("rate") || creating || fields.containsKey("startAt")))) {
            // a rate's fires count from its start: startAt, else one period from now
            Duration every = Rate.parse(rate, Duration.ZERO).every();
            anchor = startAt != null && startAt.isAfter(now) ? startAt : now.plus(every).truncatedTo(ChronoUnit.SECONDS);
        }
        Schedule changed = new Schedule(current.tenantId(), current.name(), current.scheduleId(), cron, timeZone, rate, anchor,
                template, overlap, startAt, endAt, paused, current.nextFireAt(), current.createdAt(), now,
                creating ? 1 : current.version() + 1, current.runs());
        if (timing) {
            Instant next = changed.fireAfter(now).orElse(null);
            if (next == null) {
                throw Problem.badRequest("invalid-field", "the schedule would never fire between its startAt and endAt")
                        .with("field", "endAt");
            }
            changed = new Schedule(changed.tenantId(), changed.name(), changed.scheduleId(), cron, timeZone, rate, anchor,
                    template, overlap, startAt, endAt, paused, next, changed.createdAt(), now, changed.version(), changed.runs());
        }
        return changed;
    }

    private static Map<?, ?> body(HttpRequest request) {
        JobsApi.requireJson(request);
        String body = request.body();
        if (body == null || body.isBlank()) {
            throw Problem.badRequest("invalid-body", "the body must be a JSON object");
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
        return fields;
    }

    private static String name(Object value) {
        if (!(value instanceof String name) || !NAME.matcher(name).matches()) {
            throw Problem.badRequest("invalid-field", "a schedule's name is 1-64 letters, digits, '.', '_' or '-', starting with "
                    + "a letter or digit").with("field", "name");
        }
        return name;
    }

    private static String text(Object value, String field, int maxLength) {
        if (!(value instanceof String text) || text.isBlank() || text.length() > maxLength) {
            throw Problem.badRequest("invalid-field", "'" + field + "' must be a string of at most " + maxLength + " characters")
                    .with("field", field);
        }
        return text;
    }

    /** An IANA time zone name (Europe/Berlin), or UTC. */
    private static String zone(Object value) {
        if (value instanceof String name && (name.equals("UTC") || ZoneId.getAvailableZoneIds().contains(name))) {
            return name;
        }
        throw Problem.badRequest("invalid-field", "'timeZone' must be an IANA time zone name such as Europe/Berlin, or UTC")
                .with("field", "timeZone");
    }

    private static Instant instant(Object value, String field, Instant now) {
        if (value == null) {
            return null;
        }
        Problem invalid = Problem.badRequest("invalid-field", "'" + field + "' must be an ISO-8601 instant such as 2026-12-01T09:00:00Z")
                .with("field", field);
        if (!(value instanceof String text)) {
            throw invalid;
        }
        try {
            Instant instant = Instant.parse(text);
            if (instant.isBefore(Instant.EPOCH)) {
                throw invalid;
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw invalid;
        }
    }

    static String selfLink(String name) {
        return "/schedules/" + name;
    }

    /** What a client sees of a schedule: its definition, state, the next fires and the last runs. */
    private static Map<String, Object> view(Schedule schedule, int fires) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", schedule.name());
        if (schedule.cron() != null) {
            view.put("cron", schedule.cron());
            view.put("timeZone", schedule.timeZone());
        } else {
            view.put("rate", schedule.rate());
        }
        view.put("overlap", schedule.overlap().label());
        view.put("job", Json.parseStored(schedule.template()));
        if (schedule.startAt() != null) {
            view.put("startAt", schedule.startAt().toString());
        }
        if (schedule.endAt() != null) {
            view.put("endAt", schedule.endAt().toString());
        }
        view.put("paused", schedule.paused());
        view.put("state", schedule.paused() ? "paused" : schedule.nextFireAt() == null ? "ended" : "active");
        if (schedule.nextFireAt() != null && !schedule.paused()) {
            view.put("nextFireAt", schedule.nextFireAt().toString());
            view.put("nextFires", schedule.upcoming(fires).stream().map(Instant::toString).toList());
        }
        List<Object> runs = new ArrayList<>();
        for (ScheduleRun run : schedule.runs()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("fireAt", run.fireAt().toString());
            entry.put("outcome", run.outcome());
            if (run.jobId() != null) {
                entry.put("jobId", run.jobId());
            }
            if (run.detail() != null) {
                entry.put("detail", run.detail());
            }
            if (run.missedSince() != null) {
                entry.put("missedSince", run.missedSince().toString());
            }
            runs.add(entry);
        }
        view.put("lastRuns", runs);
        view.put("createdAt", schedule.createdAt().toString());
        view.put("updatedAt", schedule.updatedAt().toString());
        view.put("version", schedule.version());
        view.put("links", Map.of("self", selfLink(schedule.name())));
        return view;
    }
}
