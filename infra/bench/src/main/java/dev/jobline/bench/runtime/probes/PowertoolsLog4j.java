package dev.jobline.bench.runtime.probes;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Powertools for AWS Lambda (Java) v2 logging on log4j2 (JsonTemplateLayout with its LambdaJsonLayout), through its
 * functional API (PowertoolsLogging.initializeLogging: no @Logging annotation, so no AspectJ weaving); the job's keys
 * through the MDC. The log4j2.xml is the one the Powertools documentation gives, written by the harness.
 */
public final class PowertoolsLog4j implements Runnable {
    @Override
    public void run() {
        Logger logger = LoggerFactory.getLogger(PowertoolsLog4j.class);
        PowertoolsLogging.initializeLogging(new ProbeContext());
        MDC.put("jobId", ObservabilityProbe.JOB_ID);
        MDC.put("tenantId", "tenant-a");
        MDC.put("type", "echo");
        MDC.put("attempt", "1");
        for (String event : ObservabilityProbe.EVENTS) {
            logger.info(event);
        }
    }

    /** The few Context fields Powertools reads. */
    static final class ProbeContext implements Context {
        @Override public String getAwsRequestId() { return "bench-request"; }
        @Override public String getLogGroupName() { return "/aws/lambda/WorkerFunction"; }
        @Override public String getLogStreamName() { return "bench"; }
        @Override public String getFunctionName() { return "WorkerFunction"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:WorkerFunction"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return 60_000; }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public LambdaLogger getLogger() { return null; }
    }
}
