package dev.jobline.iam;

import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * An SDK interceptor on one function's clients: before a call is sent, each action it needs is checked against the
 * function's role. A call the role does not allow is logged and fails as in AWS, with an AccessDenied error, so the
 * code under test meets what it would meet there; the log still fails the test if that code swallows the error.
 */
final class PolicyCheck implements ExecutionInterceptor {
    private final FunctionRole role;
    private final StackArns stack;

    PolicyCheck(FunctionRole role, StackArns stack) {
        this.role = role;
        this.stack = stack;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        List<IamRequest> needed;
        try {
            needed = RequiredPermissions.of(context.request(), operation, stack);
        } catch (IllegalArgumentException e) {
            IamLog.unmodelled(role.function(), operation, e.getMessage());
            return;
        }
        for (IamRequest request : needed) {
            IamRequest logical = new IamRequest(request.action(), stack.logical(request.resource()));
            if (!stack.inStack(request.resource())) {
                IamLog.outsideStack(role.function(), logical);
                continue;
            }
            FunctionRole.Decision decision = role.decide(request);
            IamLog.checked(role.function(), request, logical, decision, stack);
            if (!decision.allowed()) {
                throw accessDenied(context.request(), request);
            }
        }
    }

    /** The error AWS answers, worded as AWS words it. */
    private RuntimeException accessDenied(SdkRequest call, IamRequest request) {
        String message = "User: arn:aws:sts::000000000000:assumed-role/" + role.function() + "Role/" + role.function()
                + " is not authorized to perform: " + request.action() + " on resource: " + request.resource()
                + " because no identity-based policy allows the " + request.action() + " action";
        if (call instanceof DynamoDbRequest) {
            return DynamoDbException.builder().message(message).statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                    .errorCode("AccessDeniedException").errorMessage(message).serviceName("DynamoDb").build()).build();
        }
        return SqsException.builder().message(message).statusCode(403).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("AccessDenied").errorMessage(message).serviceName("Sqs").build()).build();
    }
}
