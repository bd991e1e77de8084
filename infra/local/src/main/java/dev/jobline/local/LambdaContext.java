package dev.jobline.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * The Context of one invocation, as Lambda gives it: a fresh request id, remaining time counting down
 * from the function's timeout. The local runner, the tests and the benchmarks invoke handlers with it.
 */
public final class LambdaContext implements Context {
    private final String functionName;
    private final int memoryMb;
    private final String requestId = UUID.randomUUID().toString();
    private final long deadlineMillis;
    private final PrintStream log;

    /** @param log where {@link #getLogger()} writes; null drops what is logged */
    public LambdaContext(String functionName, Duration timeout, int memoryMb, PrintStream log) {
        this.functionName = functionName;
        this.memoryMb = memoryMb;
        this.deadlineMillis = System.currentTimeMillis() + timeout.toMillis();
        this.log = log;
    }

    /** A 1024 MB function logging to stdout. */
    public LambdaContext(String functionName, Duration timeout) {
        this(functionName, timeout, 1024, System.out);
    }

    @Override public String getAwsRequestId() { return requestId; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return "local/[$LATEST]" + requestId.substring(0, 8); }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getMemoryLimitInMB() { return memoryMb; }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT_ID + ":function:" + functionName;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override public void log(String message) {
                if (log != null) {
                    log.println(message);
                }
            }

            @Override public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
