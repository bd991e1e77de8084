package dev.jobline.api;

import dev.jobline.job.Job;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.KeyScope;
import dev.jobline.json.Json;
import dev.jobline.schedule.Overlap;
import dev.jobline.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The submission a schedule makes a job of at each fire: a POST /jobs body, checked as one (type, payload, options,
 * concurrency key), without the fields that say when (the schedule does) or what to answer on a held key (a fire whose
 * key is held is skipped). Stored as the JSON the tenant sent, and checked again at each fire: a type removed since
 * makes the fire {@code invalid}, not a broken job.
 */
public final class JobTemplate {
    /** The submission fields a template may not have. */
    private static final List<String> TIMING_FIELDS = List.of("runAt", "delaySeconds", "onConflict");

    private final SubmitRequest request;
    private final String json;

    private JobTemplate(SubmitRequest request, String json) {
        this.request = request;
        this.json = json;
    }

    /** A template as the tenant sent it ({@code field} names it in a problem); throws {@link Problem} when it is not valid. */
    static JobTemplate parse(Object fields, Overlap overlap, JobRegistry registry, int maxPayloadBytes, Instant now) {
        if (!(fields instanceof Map<?, ?> map)) {
            throw Problem.badRequest("invalid-field", "'job' must be a submission object, as the body of POST /jobs")
                    .with("field", "job");
        }
        for (String timing : TIMING_FIELDS) {
            if (map.containsKey(timing)) {
                throw Problem.badRequest("invalid-field", "a schedule's job has no '" + timing + "': the schedule says when it runs, "
                        + "and a fire whose key is held is skipped").with("field", "job." + timing);
            }
        }
        if (map.get("dependsOn") instanceof List<?> parents && !parents.isEmpty() || map.containsKey("ref")) {
            // a chain's parents end once: every later fire would find them ended already
            throw Problem.badRequest("invalid-field", "a schedule's job depends on no other job: its parents would end once, "
                    + "and every later fire would find them ended").with("field", map.containsKey("ref") ? "job.ref" : "job.dependsOn");
        }
        if (overlap != Overlap.ALLOW && map.containsKey("concurrencyKey")) {
            throw Problem.badRequest("invalid-field", "with overlap '" + overlap.label() + "' the schedule's jobs hold the key "
                    + "'schedule:<name>'; a concurrencyKey of their own goes with overlap 'allow'").with("field", "job.concurrencyKey");
        }
        SubmitRequest request = SubmitRequest.fromFields(map, registry, maxPayloadBytes, now);
        return new JobTemplate(request, Json.write(map));
    }

    /** A stored template, checked again as at its creation; throws {@link Problem} when it no longer makes a job. */
    public static JobTemplate stored(String json, JobRegistry registry, int maxPayloadBytes, Instant now) {
        Object fields;
        try {
            fields = Json.parse(json);
        } catch (Json.MalformedJson e) {
            throw Problem.badRequest("malformed-json", "the stored template is not JSON: " + e.getMessage());
        }
        return new JobTemplate(SubmitRequest.fromFields(fields, registry, maxPayloadBytes, now), json);
    }

    public String json() {
        return json;
    }

    /**
     * The job of one fire: QUEUED, due at the fire time, with the schedule's concurrency key (skip: held until it ends;
     * enqueue: until it starts) or, with overlap allow, the template's own. A key is held for its TTL (the template's
     * keyTtlSeconds, else its type's default) counted from the fire.
     */
    public Job jobFor(Schedule schedule, String jobId, Instant fireAt, Instant now) {
        Job job = Job.submitted(jobId, schedule.tenantId(), request.type(), request.payloadJson(), request.maxAttempts(),
                        request.timeoutSeconds(), now)
                .withOptions(request.priority(), fireAt, request.callbackUrl(), null);
        Duration ttl = (request.key() != null ? request.key().ttl() : request.type().keys().defaultTtl())
                .plus(Duration.between(now, fireAt).isNegative() ? Duration.ZERO : Duration.between(now, fireAt));
        return switch (schedule.overlap()) {
            case SKIP -> job.withKey(new JobKey(schedule.key(), KeyScope.ACTIVE, now.plus(ttl)));
            case ENQUEUE -> job.withKey(new JobKey(schedule.key(), KeyScope.QUEUED, now.plus(ttl)));
            case ALLOW -> request.key() == null ? job : job.withKey(new JobKey(request.key().value(), request.key().scope(), now.plus(ttl)));
        };
    }
}
