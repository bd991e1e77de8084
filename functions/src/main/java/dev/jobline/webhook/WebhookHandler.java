package dev.jobline.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import dev.jobline.lambda.SqsEvents;
import java.time.Duration;
import java.util.List;

/** The webhooks queue's batch to {@link WebhookSender}; the records it names are delivered again. */
public final class WebhookHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final WebhookSender sender;

    public WebhookHandler() {                      // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().webhooks());
    }

    public WebhookHandler(WebhookSender sender) {  // tests: pass the collaborators
        this.sender = sender;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context.getFunctionName());
        Log.putContext("requestId", context.getAwsRequestId());
        List<String> redeliver = sender.process(SqsEvents.messages(event), () -> Duration.ofMillis(context.getRemainingTimeInMillis()));
        Log.clearContext();
        return SqsEvents.response(redeliver);
    }
}
