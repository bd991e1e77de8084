package dev.jobline.metrics;

import dev.jobline.job.JobStatus;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobListener;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.log.Log;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

/**
 * Job metrics in CloudWatch embedded metric format (EMF), written with AWS's aws-embedded-metrics library: a listener
 * of the job lifecycle, it collects what happened to an invocation's jobs and {@link #flush()} writes one EMF line per
 * job type to stdout,
 * where Lambda's log stream hands it to CloudWatch Metrics. Namespace {@value #NAMESPACE}; every metric has two
 * dimension sets, {Service, JobType} and {Service} (the roll-up the alarms and the dashboard read).
 */
public final class JobMetrics implements JobListener {
    public static final String NAMESPACE = "Jobline";
    public static final String SERVICE = "Service";
    public static final String JOB_TYPE = "JobType";

    /** The counts, by their CloudWatch metric names. */
    public enum Count {
        JobsSubmitted, JobsSucceeded, JobsFailed, JobsRetried, JobsDeadLettered, JobsCancelled, JobsRecovered
    }

    /** The timings, in milliseconds. */
    public enum Timing {
        /** One attempt, from its claim to its completion write. */
        JobDuration,
        /** From when a job could run (submitted, due, or back from a retry's backoff) to its claim. */
        QueueWait
    }

    /** Null: wherever {@link Log} writes (stdout in Lambda). */
    private static volatile PrintStream out;

    private final String service;
    private final Map<String, Map<Count, Long>> counts = new LinkedHashMap<>();
    private final Map<String, Map<Timing, List<Double>>> timings = new LinkedHashMap<>();

    /** @param service the Service dimension: the stack's name, so two deployments in one account stay apart */
    public JobMetrics(String service) {
        this.service = service;
    }

    /** For tests: where EMF lines go; null sends them where Log's lines go (Log.redirect moves both). */
    public static void redirect(PrintStream target) {
        out = target;
    }

    /** The one place a status change becomes metrics. */
    @Override
    public void moved(JobMoved event) {
        String type = event.type();
        if (event.recounted()) {
            // the metrics of that end went with the invocation that died: its end counts now
            count(type, event.to() == JobStatus.SUCCEEDED ? Count.JobsSucceeded
                    : event.to() == JobStatus.FAILED ? Count.JobsFailed : Count.JobsCancelled);
            return;
        }
        if (event.submitted()) {
            count(type, Count.JobsSubmitted);
        }
        if (event.from() != event.to()) {
            switch (event.to()) {
                case SUCCEEDED -> count(type, Count.JobsSucceeded);
                case CANCELLED -> count(type, Count.JobsCancelled);
                case FAILED -> count(type, Count.JobsFailed);
                default -> {
                }
            }
        }
        if (event.cause() == Cause.DEAD_LETTER && event.to() == JobStatus.FAILED) {
            count(type, Count.JobsDeadLettered);
        }
        if (event.from() == JobStatus.RUNNING && event.to() == JobStatus.QUEUED && event.cause() == Cause.WORKER) {
            count(type, Count.JobsRetried);
        }
        // an attempt whose lease expired (its worker crashed, froze or was cut off) taken over, requeued or ended:
        // by the next claim when its message came back, or by the sweeper when none did
        if (event.leaseExpired()) {
            count(type, Count.JobsRecovered);
        }
        if (event.queueWait() != null) {
            timing(type, Timing.QueueWait, event.queueWait());
        }
        if (event.attemptTime() != null) {
            timing(type, Timing.JobDuration, event.attemptTime());
        }
    }

    private synchronized void timing(String type, Timing timing, Duration value) {
        timings.computeIfAbsent(type, k -> new EnumMap<>(Timing.class))
                .computeIfAbsent(timing, k -> new ArrayList<>())
                .add((double) Math.max(0, value.toMillis()));
    }

    private synchronized void count(String type, Count count) {
        counts.computeIfAbsent(type, k -> new EnumMap<>(Count.class)).merge(count, 1L, Long::sum);
    }

    /** Writes what this invocation recorded, one EMF line per job type, and forgets it. A failure is logged, never thrown. */
    @Override
    public void flush() {
        Map<String, Map<Count, Long>> countsNow;
        Map<String, Map<Timing, List<Double>>> timingsNow;
        synchronized (this) {
            countsNow = new LinkedHashMap<>(counts);
            timingsNow = new LinkedHashMap<>(timings);
            counts.clear();
            timings.clear();
        }
        List<String> types = new ArrayList<>(countsNow.keySet());
        timingsNow.keySet().stream().filter(type -> !types.contains(type)).forEach(types::add);
        for (String type : types) {
            try {
                MetricsLogger metrics = new MetricsLogger(new StdoutEnvironment());
                metrics.setNamespace(NAMESPACE);
                metrics.setDimensions(DimensionSet.of(SERVICE, service, JOB_TYPE, type), DimensionSet.of(SERVICE, service));
                countsNow.getOrDefault(type, Map.of()).forEach((count, n) -> metrics.putMetric(count.name(), n, Unit.COUNT));
                timingsNow.getOrDefault(type, Map.of()).forEach((timing, values) ->
                        values.forEach(value -> metrics.putMetric(timing.name(), value, Unit.MILLISECONDS)));
                metrics.flush();
            } catch (Exception e) {
                Log.warn("metrics.flush_failed", "type", type, "reason", e.getMessage());
            }
        }
    }

    /**
     * The library's Lambda environment (it adds the function version and log stream as properties), writing to
     * {@link #out} instead of System.out itself, so tests can read the lines.
     */
    private static final class StdoutEnvironment extends LambdaEnvironment {
        @Override
        public ISink getSink() {
            return new ISink() {
                @Override
                public void accept(MetricsContext context) {
                    try {
                        PrintStream target = out;
                        for (String line : context.serialize()) {
                            if (target == null) {
                                Log.writeLine(line);
                            } else {
                                synchronized (target) {
                                    target.println(line);
                                }
                            }
                        }
                    } catch (Exception e) {
                        Log.warn("metrics.not_serialized", "reason", e.getMessage());
                    }
                }

                @Override
                public java.util.concurrent.CompletableFuture<Void> shutdown() {
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }
            };
        }
    }
}
