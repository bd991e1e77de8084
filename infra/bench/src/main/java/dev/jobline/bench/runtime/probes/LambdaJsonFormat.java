package dev.jobline.bench.runtime.probes;

import com.amazonaws.services.lambda.runtime.api.client.logging.LambdaContextLogger;
import com.amazonaws.services.lambda.runtime.api.client.logging.StdOutLogSink;
import com.amazonaws.services.lambda.runtime.logging.LogFormat;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;

/**
 * Lambda's own JSON log format: the Java runtime's LambdaContextLogger with LogFormat.JSON, which is what
 * context.getLogger().log(message, level) goes through when the function's LoggingConfig says LogFormat: JSON. Its
 * lines have only timestamp, level, message (a string) and AWSRequestId: the job's keys can only go inside message.
 */
public final class LambdaJsonFormat implements Runnable {
    @Override
    public void run() {
        LambdaContextLogger logger = new LambdaContextLogger(new StdOutLogSink(), LogLevel.INFO, LogFormat.JSON);
        for (String event : ObservabilityProbe.EVENTS) {
            logger.log(event + " jobId=" + ObservabilityProbe.JOB_ID + " tenantId=tenant-a type=echo attempt=1 receiveCount=1",
                    LogLevel.INFO);
        }
    }
}
