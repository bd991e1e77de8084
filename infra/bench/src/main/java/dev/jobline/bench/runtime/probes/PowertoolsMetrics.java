package dev.jobline.bench.runtime.probes;

import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/** Powertools for AWS Lambda (Java) v2 metrics, built with MetricsBuilder (no @FlushMetrics, so no AspectJ). */
public final class PowertoolsMetrics implements Runnable {
    @Override
    public void run() {
        Metrics metrics = MetricsBuilder.builder().withNamespace("Jobline").withService("jobline").build();
        metrics.addDimension(DimensionSet.of("JobType", "echo"));
        metrics.addMetric("JobsSucceeded", 1, MetricUnit.COUNT);
        metrics.addMetric("JobDuration", 412, MetricUnit.MILLISECONDS);
        metrics.addMetric("QueueWait", 35, MetricUnit.MILLISECONDS);
        metrics.flush();
    }
}
