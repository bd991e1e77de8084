package dev.jobline.iam;

import dev.jobline.local.EventSource;
import dev.jobline.local.LocalResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's role as SAM generates it from template.yaml, its intrinsics resolved to the local ARNs: each
 * inline statement of the function's {@code Policies}, and the managed policies SAM attaches by itself, written
 * out: AWSLambdaBasicExecutionRole for every function, AWSLambdaSQSQueueExecutionRole for one with an SQS event
 * (the role Lambda's event source polls, receives and deletes under). {@code SamRoleTest} checks this model against
 * what aws-sam-translator generates. What the model does not know (a managed policy or SAM policy template in
 * Policies, an explicit Role, an event type that adds to the role) is refused rather than guessed.
 */
public final class FunctionRole {

    static final String BASIC_EXECUTION = "AWSLambdaBasicExecutionRole";
    static final String SQS_QUEUE_EXECUTION = "AWSLambdaSQSQueueExecutionRole";
    /** The AWS managed policies' documents, as AWS publishes them. */
    private static final Map<String, Statement> MANAGED = Map.of(
            BASIC_EXECUTION, new Statement(BASIC_EXECUTION, true,
                    List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), List.of("*")),
            SQS_QUEUE_EXECUTION, new Statement(SQS_QUEUE_EXECUTION, true,
                    List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), List.of("*")));
    /** Event types for which SAM adds nothing to the function's role (it grants the caller, not the function). */
    private static final Set<String> ROLE_NEUTRAL_EVENTS = Set.of("HttpApi", "Api", "Schedule", "ScheduleV2",
            "EventBridgeRule", "CloudWatchEvent", "SNS");
    private static final Set<String> ROLE_PROPERTIES = Set.of("Role", "Tracing", "VpcConfig", "DeadLetterQueue",
            "EventInvokeConfig", "PermissionsBoundary", "RolePath");

    private final String function;
    private final List<Statement> statements;
    private final List<String> managedPolicies;

    FunctionRole(String function, List<Statement> statements, List<String> managedPolicies) {
        this.function = function;
        this.statements = List.copyOf(statements);
        this.managedPolicies = List.copyOf(managedPolicies);
    }

    public static FunctionRole of(LocalResources resources, String function) {
        Map<String, Object> properties = resources.properties(function);
        for (String property : ROLE_PROPERTIES) {
            if (properties.containsKey(property)) {
                throw new IllegalArgumentException(function + ": " + property + " changes the role SAM generates; this model does not know how");
            }
        }
        List<Statement> statements = new ArrayList<>();
        List<Object> policies = properties.get("Policies") instanceof List<?> list ? new ArrayList<>(list)
                : properties.get("Policies") == null ? List.of() : List.of(properties.get("Policies"));
        for (int p = 0; p < policies.size(); p++) {
            if (!(policies.get(p) instanceof Map<?, ?> document) || !(document.get("Statement") instanceof List<?> list)
                    || document.size() > 2 || document.size() == 2 && !document.containsKey("Version")) {
                throw new IllegalArgumentException(function + ": Policies[" + p + "] is not an inline policy document "
                        + "(managed policies and SAM policy templates are not modelled): " + policies.get(p));
            }
            for (int s = 0; s < list.size(); s++) {
                statements.add(Statement.parse("Policies[" + p + "].Statement[" + s + "]", list.get(s)));
            }
        }
        List<String> managed = new ArrayList<>(List.of(BASIC_EXECUTION));
        for (EventSource event : resources.function(function).events().values()) {
            if (event.type().equals("SQS")) {
                if (!managed.contains(SQS_QUEUE_EXECUTION)) {
                    managed.add(SQS_QUEUE_EXECUTION);
                }
            } else if (!ROLE_NEUTRAL_EVENTS.contains(event.type())) {
                throw new IllegalArgumentException(function + ": SAM adds to the role for a " + event.type()
                        + " event; this model does not know what");
            }
        }
        managed.forEach(name -> statements.add(MANAGED.get(name)));
        return new FunctionRole(function, statements, managed);
    }

    public String function() {
        return function;
    }

    /** The managed policies SAM attaches, by name. */
    public List<String> managedPolicies() {
        return managedPolicies;
    }

    /** Whether the role allows the request, and which grants allow it: no explicit Deny, and some Allow. */
    Decision decide(IamRequest request) {
        List<Statement.Grant> allowing = new ArrayList<>();
        for (Statement statement : statements) {
            List<Statement.Grant> covering = statement.covering(function, request);
            if (covering.isEmpty()) {
                continue;
            }
            if (!statement.allow()) {
                return new Decision(false, List.of());
            }
            allowing.addAll(covering);
        }
        return new Decision(!allowing.isEmpty(), allowing);
    }

    /** Every action on every resource the function's own Policies name (not the managed policies). */
    List<Statement.Grant> ownGrants() {
        List<Statement.Grant> grants = new ArrayList<>();
        statements.stream().filter(statement -> !MANAGED.containsKey(statement.source()))
                .forEach(statement -> grants.addAll(statement.grants(function)));
        return grants;
    }

    /** @param grants the grants that allow the request; empty when it is denied */
    record Decision(boolean allowed, List<Statement.Grant> grants) {
    }
}
