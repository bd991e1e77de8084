package dev.jobline.bench.runtime.probes;

import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.Unit;

/** AWS's embedded-metric-format library for Java (aws-embedded-metrics), its Lambda environment: EMF to stdout. */
public final class EmfLibrary implements Runnable {
    @Override
    public void run() {
        try {
            MetricsLogger metrics = new MetricsLogger(new LambdaEnvironment());
            metrics.setNamespace("Jobline");
            metrics.setDimensions(DimensionSet.of("JobType", "echo"));
            metrics.putMetric("JobsSucceeded", 1, Unit.COUNT);
            metrics.putMetric("JobDuration", 412, Unit.MILLISECONDS);
            metrics.putMetric("QueueWait", 35, Unit.MILLISECONDS);
            metrics.flush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
