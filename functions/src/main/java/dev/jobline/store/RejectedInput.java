package dev.jobline.store;

import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Whether a storage failure came from the request's own values (DynamoDB's ValidationException: a key too long, an
 * empty string where a key needs one) rather than from the storage: the first is the caller's to fix (400), the
 * second the caller's to retry (503).
 */
public final class RejectedInput {
    private RejectedInput() {
    }

    public static boolean causedBy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DynamoDbException dynamo && dynamo.awsErrorDetails() != null
                    && "ValidationException".equals(dynamo.awsErrorDetails().errorCode())) {
                return true;
            }
        }
        return false;
    }
}
