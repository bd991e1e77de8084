package dev.jobline.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Runs SDK calls as far as the wire and no further: while {@link #rehearse} runs, every request of these clients is
 * marshalled, has its endpoint resolved and is signed, then stops before it is sent. SnapStart's priming uses it
 * to load and warm those paths without writing anything, and without a connection that the snapshot would keep.
 * Outside a rehearsal it only reads a volatile flag per request.
 */
public final class RequestRehearsal implements ExecutionInterceptor {
    private volatile List<Rehearsed> stopped;

    /**
     * A request that was made ready and stopped.
     *
     * @param operation {@code Service.Operation}, e.g. {@code DynamoDb.PutItem}
     * @param uri       where it would have gone
     * @param signedBy  the access key id its signature names
     */
    public record Rehearsed(String operation, URI uri, String signedBy) {
    }

    /**
     * Runs {@code calls} with every request of these clients stopped before it is sent; answers the requests that
     * got that far, in order. Each stopped call throws, wrapped in the SDK's exception: {@code calls} catch it and
     * tell it from a real failure with {@link #wasStopped}.
     */
    public synchronized List<Rehearsed> rehearse(Runnable calls) {
        List<Rehearsed> seen = Collections.synchronizedList(new ArrayList<>());
        stopped = seen;
        try {
            calls.run();
        } finally {
            stopped = null;
        }
        return List.copyOf(seen);
    }

    /** True when a call failed because a rehearsal stopped it, not for any other reason. */
    public static boolean wasStopped(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof Stopped) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        List<Rehearsed> seen = stopped;
        if (seen != null) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            URI uri = context.httpRequest().getUri();
            seen.add(new Rehearsed(operation, uri, signer(context.httpRequest().firstMatchingHeader("Authorization").orElse(""))));
            throw new Stopped(operation + " to " + uri.getHost());
        }
    }

    /** The access key id in a SigV4 header: {@code AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...}. */
    private static String signer(String authorization) {
        int start = authorization.indexOf("Credential=");
        if (start < 0) {
            return null;
        }
        int end = authorization.indexOf('/', start);
        return end < 0 ? null : authorization.substring(start + "Credential=".length(), end);
    }

    /** Not retryable, so the SDK gives up at once instead of rehearsing the call again. */
    static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super("rehearsed, not sent: " + message, null, false, false);
        }
    }
}
